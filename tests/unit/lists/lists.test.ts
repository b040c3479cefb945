import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	boxSortKey,
	checkRange,
	compareBoxPositions,
	contentDisposition,
	leadDaysFor,
	listFileName,
	pageCount,
	pairKey,
	shipByDate,
	MAX_RANGE_DAYS
} from '../../../src/lib/domain/lists/index.ts';
import { dayResolver, DEFAULT_PATTERNS, DEFAULT_WEEKLY_PLAN } from '../../../src/lib/domain/schedule/index.ts';

describe('pull list order', () => {
	it('R-S10 box positions sort by number value, full-width digits like half-width ones', () => {
		const sorted = ['箱10-001', '箱2-010', '箱2-9', 'A', '箱１-５', '箱1-4', ''].sort(compareBoxPositions);
		expect(sorted).toEqual(['', 'A', '箱1-4', '箱１-５', '箱2-9', '箱2-010', '箱10-001']);
	});

	it('R-S10 property: for "棚{a}-{b}" the key order is the numeric order of (a, b)', () => {
		const pos = fc.tuple(fc.nat(99_999), fc.nat(999));
		fc.assert(
			fc.property(pos, pos, ([a1, b1], [a2, b2]) => {
				const c = Math.sign(compareBoxPositions(`棚${a1}-${b1}`, `棚${a2}-${b2}`));
				const expected = Math.sign(a1 !== a2 ? a1 - a2 : b1 - b2);
				expect(c).toBe(expected);
			})
		);
	});

	it('R-S10 property: the comparison is a total order consistent with the key', () => {
		fc.assert(
			fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 20 }), (xs) => {
				const sorted = [...xs].sort(compareBoxPositions);
				for (let i = 1; i < sorted.length; i++) expect(boxSortKey(sorted[i - 1]) <= boxSortKey(sorted[i])).toBe(true);
			})
		);
	});
});

describe('transfer ship-by date', () => {
	const weekdaysOnly = dayResolver({ patterns: DEFAULT_PATTERNS, weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] });
	const open = (d: string) => weekdaysOnly(d).open;

	it('R-S11 lead days count open days of the storage location, skipping the weekend', () => {
		// 2026-12-07 is a Monday: 1 open day back is Friday 12-04, 2 is Thursday 12-03
		expect(shipByDate('2026-12-07', 1, open)).toBe('2026-12-04');
		expect(shipByDate('2026-12-07', 2, open)).toBe('2026-12-03');
		expect(shipByDate('2026-12-09', 2, open)).toBe('2026-12-07');
	});

	it('R-S11 holidays and 年末年始 are skipped; 0 lead days is the visit day or the open day before it', () => {
		// 2027-01-04 (Mon): 12-29 … 1-3 closed, so 1 open day back is Monday 12-28
		expect(shipByDate('2027-01-04', 1, open)).toBe('2026-12-28');
		// 2026-11-24 (Tue): Monday 11-23 is 勤労感謝の日, so 1 day back is Friday 11-20
		expect(shipByDate('2026-11-24', 1, open)).toBe('2026-11-20');
		expect(shipByDate('2026-12-09', 0, open)).toBe('2026-12-09');
		expect(shipByDate('2026-12-06', 0, open)).toBe('2026-12-04');
	});

	it('R-S11 property: the ship-by date is open, before the visit, with exactly N open days from it up to the visit', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 10 }), (offset, lead) => {
				const visit = new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
				const d = shipByDate(visit, lead, open);
				expect(open(d)).toBe(true);
				expect(d < visit).toBe(true);
				let n = 0;
				for (let x = d; x < visit; x = new Date(Date.parse(x) + 86_400_000).toISOString().slice(0, 10)) if (open(x)) n++;
				expect(n).toBe(lead);
			})
		);
	});

	it('R-S11 a location never open falls back to calendar days; pairs fall back to the default', () => {
		expect(shipByDate('2026-12-10', 3, () => false)).toBe('2026-12-07');
		const pairs = new Map([[pairKey(1, 2), 4]]);
		expect(leadDaysFor(pairs, 1, 2, 2)).toBe(4);
		expect(leadDaysFor(pairs, 2, 1, 2)).toBe(2);
	});
});

describe('range, names, pages', () => {
	it(`R-S10 the range is at most ${MAX_RANGE_DAYS} days, from ≤ to, real dates`, () => {
		expect(checkRange('2026-12-01', '2026-12-01')).toBeNull();
		expect(checkRange('2026-12-01', '2027-03-03')).toBeNull(); // 93 days
		expect(checkRange('2026-12-01', '2027-03-04')).toMatchObject({ field: 'to', message: expect.stringContaining('93日以内') });
		expect(checkRange('2026-12-02', '2026-12-01')).toMatchObject({ field: 'to' });
		expect(checkRange('2026-02-30', '2026-03-01')).toMatchObject({ field: 'from' });
	});

	it('R-S10 Japanese file names, safe characters only, encoded per RFC 5987', () => {
		expect(listFileName('pull', '市役所本庁舎', '2026-12-01', '2026-12-03', 'pdf')).toBe('引き抜きリスト_市役所本庁舎_2026-12-01_2026-12-03.pdf');
		expect(listFileName('reservations', 'a/b\\c:d', '2026-12-01', '2026-12-01', 'csv')).toBe('予約一覧_abcd_2026-12-01.csv');
		expect(listFileName('no-shows', '', '2026-12-01', '2026-12-01', 'csv')).toBe('未来庁リスト_2026-12-01.csv');
		const h = contentDisposition('予約一覧_本庁(1).csv', 'reservations_2026-12-01.csv');
		expect(h).toBe(`attachment; filename="reservations_2026-12-01.csv"; filename*=UTF-8''${encodeURIComponent('予約一覧_本庁')}%281%29.csv`);
		expect(decodeURIComponent(h.split("UTF-8''")[1])).toBe('予約一覧_本庁(1).csv');
	});

	it('R-S10 page count: an empty list still prints one page', () => {
		expect(pageCount(0, 28)).toBe(1);
		expect(pageCount(28, 28)).toBe(1);
		expect(pageCount(29, 28)).toBe(2);
	});
});
