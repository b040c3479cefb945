import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, addMonths, isValidDate, monthDates, tokyoDateOf, weekdayOf } from '../../src/lib/domain/dates.ts';

describe('Tokyo calendar dates', () => {
	it('R-C05 an instant belongs to its Tokyo date (UTC+9, no daylight saving)', () => {
		expect(tokyoDateOf(new Date('2026-11-23T14:59:59Z'))).toBe('2026-11-23');
		expect(tokyoDateOf(new Date('2026-11-23T15:00:00Z'))).toBe('2026-11-24');
	});

	it('R-C05 months have their real length, leap years included', () => {
		expect(monthDates('2028-02')).toHaveLength(29);
		expect(monthDates('2027-02')).toHaveLength(28);
		expect(monthDates('2026-12').at(-1)).toBe('2026-12-31');
		expect(addMonths('2026-12', 1)).toBe('2027-01');
		expect(addMonths('2027-01', -1)).toBe('2026-12');
	});

	it('R-C05 malformed dates are refused', () => {
		for (const bad of ['2026-02-30', '2026-13-01', '2026-1-1', '20261101', 'x', '2026-11-31']) expect(isValidDate(bad)).toBe(false);
		expect(isValidDate('2028-02-29')).toBe(true);
	});

	it('R-C05 weekday and day arithmetic agree with the JS calendar for any date', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 365 * 60 }), fc.integer({ min: -400, max: 400 }), (offset, n) => {
				const base = new Date(Date.UTC(2000, 0, 1 + offset));
				const date = base.toISOString().slice(0, 10);
				const moved = new Date(Date.UTC(2000, 0, 1 + offset + n)).toISOString().slice(0, 10);
				return weekdayOf(date) === base.getUTCDay() && addDays(date, n) === moved;
			})
		);
	});
});
