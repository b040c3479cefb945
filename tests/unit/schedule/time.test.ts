import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import process from 'node:process';
import holiday_jp from '@holiday-jp/holiday_jp';
import {
	addDays,
	daysBetween,
	isDate,
	isTime,
	monthDates,
	toInstant,
	toIsoTokyo,
	tokyoDate,
	tokyoTime,
	weekday
} from '../../../src/lib/domain/schedule/index.ts';

/** Sakamoto's method: a textbook weekday formula that shares no code with the implementation. */
function referenceWeekday(date: string): number {
	const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
	let [y, m, d] = date.split('-').map(Number);
	if (m < 3) y -= 1;
	return (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + t[m - 1] + d) % 7;
}

/** Tokyo wall clock through Intl's own time-zone database, not through a fixed offset. */
function referenceTokyo(now: Date): { date: string; time: string } {
	const parts = new Intl.DateTimeFormat('en-CA', {
		timeZone: 'Asia/Tokyo',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(now);
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

const dateArb = fc
	.date({ min: new Date('1901-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
	.map((d) => d.toISOString().slice(0, 10));

const instantArb = fc.date({
	min: new Date('1990-01-01T00:00:00Z'),
	max: new Date('2060-12-31T23:59:59Z'),
	noInvalidDate: true
});

/** Zones on both sides of the date line, with getTimezoneOffset() for a January date in each. */
const ZONE_OFFSETS: Record<string, number> = {
	UTC: 0,
	'Asia/Tokyo': -540,
	'America/Los_Angeles': 480,
	'Pacific/Kiritimati': -840,
	'Pacific/Pago_Pago': 660,
	'Europe/London': 0
};
const ZONES = Object.keys(ZONE_OFFSETS);
const originalTz = process.env.TZ;

afterEach(() => {
	if (originalTz === undefined) delete process.env.TZ;
	else process.env.TZ = originalTz;
});

describe('Tokyo dates and times', () => {
	it.each(ZONES)('R-S06 weekday agrees with a reference formula whatever process.env.TZ is (%s)', (zone) => {
		process.env.TZ = zone;
		// proves the zone switch took effect, so the property below really ran under it
		expect(new Date('2027-01-15T00:00:00Z').getTimezoneOffset()).toBe(ZONE_OFFSETS[zone]);
		fc.assert(
			fc.property(dateArb, (date) => {
				expect(weekday(date)).toBe(referenceWeekday(date));
			}),
			{ numRuns: 300 }
		);
	});

	it('R-S06 weekday agrees with the weekday holiday_jp lists for every holiday', () => {
		const names = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
		const holidays = Object.values(holiday_jp.holidays) as { date: string; week_en: string }[];
		expect(holidays.length).toBeGreaterThan(500);
		for (const h of holidays) expect(names[weekday(h.date)]).toBe(h.week_en);
	});

	it.each(ZONES)('R-S07 tokyoDate and tokyoTime agree with Intl Asia/Tokyo under TZ=%s', (zone) => {
		process.env.TZ = zone;
		fc.assert(
			fc.property(instantArb, (now) => {
				expect({ date: tokyoDate(now), time: tokyoTime(now) }).toEqual(referenceTokyo(now));
			}),
			{ numRuns: 200 }
		);
	});

	it('R-S06 toInstant and toIsoTokyo denote the same instant, and round-trip to the same Tokyo date and time', () => {
		const timeArb = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
			([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`
		);
		// from 1952: Japan kept summer time 1948–1951, which a fixed +09:00 deliberately ignores
		const modernDate = dateArb.filter((d) => d >= '1952-01-01');
		fc.assert(
			fc.property(modernDate, timeArb, (date, time) => {
				const iso = toIsoTokyo(date, time);
				expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+09:00$/);
				expect(toInstant(date, time).getTime()).toBe(Date.parse(iso));
				expect(referenceTokyo(toInstant(date, time))).toEqual({ date, time });
			}),
			{ numRuns: 300 }
		);
	});

	it('R-S06 addDays and daysBetween are inverse and match UTC calendar arithmetic', () => {
		fc.assert(
			fc.property(dateArb, fc.integer({ min: -800, max: 800 }), (date, n) => {
				const later = addDays(date, n);
				expect(daysBetween(date, later)).toBe(n);
				expect(later).toBe(new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10));
			}),
			{ numRuns: 300 }
		);
	});

	it('R-S06 dates and times are validated strictly', () => {
		expect(isDate('2027-02-28')).toBe(true);
		expect(isDate('2028-02-29')).toBe(true);
		expect(isDate('2027-02-29')).toBe(false);
		expect(isDate('2027-13-01')).toBe(false);
		expect(isDate('2027-1-01')).toBe(false);
		expect(isTime('00:00')).toBe(true);
		expect(isTime('23:59')).toBe(true);
		expect(isTime('24:00')).toBe(false);
		expect(isTime('9:00')).toBe(false);
		expect(isTime('09:60')).toBe(false);
		expect(() => addDays('2027-02-30', 1)).toThrow(RangeError);
	});

	it('R-C05 monthDates lists every date of the month, leap years included', () => {
		expect(monthDates('2028-02')).toHaveLength(29);
		expect(monthDates('2027-02')).toHaveLength(28);
		expect(monthDates('2027-12').at(-1)).toBe('2027-12-31');
		expect(monthDates('2027-04')[0]).toBe('2027-04-01');
		expect(() => monthDates('2027-13')).toThrow(RangeError);
	});
});
