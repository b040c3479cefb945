import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayLevel } from '../../../src/lib/domain/availability.ts';
import {
	DEFAULT_BOOKING_WINDOW,
	DEFAULT_PATTERNS,
	DEFAULT_WEEKLY_PLAN,
	generateSlots,
	isBookable,
	monthCalendar,
	type DatedCapacity
} from '../../../src/lib/domain/schedule/index.ts';

describe('month calendar', () => {
	it('R-C05 every date of the month is listed once, with its weekday, and a date without open slots is 受付なし', () => {
		const days = monthCalendar('2027-02', []);
		expect(days).toHaveLength(28);
		expect(days[0]).toEqual({ date: '2027-02-01', weekday: 1, level: 'closed' });
		expect(days.every((d) => d.level === 'closed')).toBe(true);
		expect(monthCalendar('2028-02', [])).toHaveLength(29);
	});

	it('R-C05 a month built from generated slots and the booking window shows levels, never counts', () => {
		const rules = { patterns: DEFAULT_PATTERNS, weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] };
		const now = new Date('2027-01-06T10:00:00+09:00');
		const slots: DatedCapacity[] = generateSlots(rules, '2027-01-01', '2027-01-31').map((s) => ({
			date: s.date,
			capacity: s.capacity,
			// the 13th is fully booked; the 14th has only its last two slots free
			taken: s.date === '2027-01-13' || (s.date === '2027-01-14' && s.start < '16:45') ? s.capacity : 0,
			open: isBookable(DEFAULT_BOOKING_WINDOW, 'citizen', now, s.date, s.start) === true
		}));
		const level = Object.fromEntries(monthCalendar('2027-01', slots).map((d) => [d.date, d.level]));
		expect(level['2027-01-01']).toBe('closed'); // 元日
		expect(level['2027-01-07']).toBe('closed'); // inside the 2-day minimum
		expect(level['2027-01-08']).toBe('many');
		expect(level['2027-01-09']).toBe('closed'); // Saturday
		expect(level['2027-01-11']).toBe('closed'); // 成人の日
		expect(level['2027-01-13']).toBe('none');
		expect(level['2027-01-14']).toBe('few');
		for (const d of monthCalendar('2027-01', slots)) expect(Object.keys(d).sort()).toEqual(['date', 'level', 'weekday']);
	});

	it('R-C05 each day has the level dayLevel gives for that day’s slots, whatever order the slots come in', () => {
		const slotArb = fc.record({
			date: fc.integer({ min: 1, max: 30 }).map((d) => `2027-04-${String(d).padStart(2, '0')}`),
			capacity: fc.integer({ min: 0, max: 5 }),
			taken: fc.integer({ min: 0, max: 6 }),
			open: fc.boolean()
		});
		fc.assert(
			fc.property(fc.array(slotArb, { maxLength: 60 }), (slots) => {
				const days = monthCalendar('2027-04', slots);
				expect(days.map((d) => d.date)).toEqual(Array.from({ length: 30 }, (_, i) => `2027-04-${String(i + 1).padStart(2, '0')}`));
				for (const d of days) expect(d.level).toBe(dayLevel(slots.filter((s) => s.date === d.date)));
				expect(monthCalendar('2027-04', [...slots].reverse())).toEqual(days);
			}),
			{ numRuns: 200 }
		);
	});
});
