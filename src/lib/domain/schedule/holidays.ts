/**
 * Days a city hall is closed unless staff open it on purpose (R-S06): national holidays and
 * the year-end break 12/29–1/3.
 */
import holiday_jp from '@holiday-jp/holiday_jp';
import { dayNumber, type DateStr } from './time.ts';

// Looked up by key rather than through holiday_jp.isHoliday: given a Date it formats with the
// machine's local zone (wrong date outside Japan), and given a string it scans every key each call.
const HOLIDAYS = holiday_jp.holidays as Readonly<Record<string, { name: string; name_en: string }>>;

export function isNationalHoliday(date: DateStr): boolean {
	dayNumber(date);
	return Object.hasOwn(HOLIDAYS, date);
}

/** The holiday's Japanese and English names, or null on an ordinary day. */
export function holidayName(date: DateStr): { ja: string; en: string } | null {
	if (!isNationalHoliday(date)) return null;
	const h = HOLIDAYS[date];
	return { ja: h.name, en: h.name_en };
}

/** 年末年始: 12/29, 12/30, 12/31, 1/1, 1/2, 1/3. */
export function isYearEndBreak(date: DateStr): boolean {
	dayNumber(date);
	const md = date.slice(5);
	return md >= '12-29' || md <= '01-03';
}
