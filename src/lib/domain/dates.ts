/**
 * Calendar helpers used outside the scheduling rules. The arithmetic lives once, in
 * schedule/time.ts; this module keeps the names the rest of the app uses and adds months.
 * Japan has no daylight saving time, so Tokyo is always UTC+9.
 */
import { addDays, isDate, monthDates, tokyoDate, weekday } from './schedule/time.ts';

export { addDays, monthDates };
export const isValidDate = (s: string): boolean => isDate(s);
export const tokyoDateOf = tokyoDate;
export const weekdayOf = weekday;

export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export function tokyoMonthOf(instant: Date): string {
	return tokyoDate(instant).slice(0, 7);
}

export function addMonths(month: string, n: number): string {
	const [y, m] = month.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}

/** ISO 8601 with the Tokyo offset, milliseconds dropped, as the public contract asks. */
export function tokyoIso(d: Date): string {
	return new Date(d.getTime() + 9 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+09:00');
}
