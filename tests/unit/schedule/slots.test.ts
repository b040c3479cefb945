import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import holiday_jp from '@holiday-jp/holiday_jp';
import {
	SLOT_LENGTHS,
	generateSlots,
	type DateException,
	type GeneratedSlot,
	type HoursPattern,
	type LocationRules,
	type TimeRangeException
} from '../../../src/lib/domain/schedule/index.ts';

// --- arbitraries -------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const mins = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

const HOLIDAYS_2025_2030 = Object.keys(holiday_jp.holidays).filter((d) => d >= '2025-01-01' && d <= '2030-12-31');

/** Starts near holidays and the year-end break often enough that every run meets some. */
const fromDateArb = fc.oneof(
	fc.integer({ min: 0, max: 6 * 365 }).map((n) => plusDays('2025-01-01', n)),
	fc.constantFrom(...HOLIDAYS_2025_2030).chain((d) => fc.integer({ min: -5, max: 0 }).map((n) => plusDays(d, n))),
	fc.integer({ min: 2025, max: 2029 }).chain((y) => fc.integer({ min: 20, max: 31 }).map((d) => `${y}-12-${d}`))
);

const rangeArb = fromDateArb.chain((from) => fc.integer({ min: 0, max: 24 }).map((len) => ({ from, to: plusDays(from, len) })));

/** Valid by construction: close after open, lunch (if any) inside opening hours. */
const patternArb = (id: string): fc.Arbitrary<HoursPattern> =>
	fc
		.record({
			open: fc.integer({ min: 6 * 12, max: 12 * 12 }).map((n) => n * 5),
			length: fc.integer({ min: 6, max: 150 }).map((n) => n * 5),
			lunch: fc.option(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 24 })), { nil: null }),
			slotMinutes: fc.constantFrom(...SLOT_LENGTHS),
			capacity: fc.integer({ min: 0, max: 6 })
		})
		.map(({ open, length, lunch, slotMinutes, capacity }) => {
			const close = Math.min(open + length, 23 * 60 + 55);
			let lunchRange: HoursPattern['lunch'] = null;
			if (lunch) {
				const ls = open + Math.floor(((close - open - 5) * lunch[0]) / 5) * 5;
				const le = Math.min(ls + lunch[1] * 5, close);
				lunchRange = { start: hhmm(ls), end: hhmm(le) };
			}
			return { id, nameJa: id, nameEn: id, open: hhmm(open), close: hhmm(close), lunch: lunchRange, slotMinutes, capacity };
		});

const PATTERN_IDS = ['p0', 'p1', 'p2'];
const patternIdArb = fc.constantFrom(...PATTERN_IDS, 'deleted');

const rulesArb = (from: string, to: string): fc.Arbitrary<LocationRules> => {
	const span = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
	const dateArb = fc.integer({ min: 0, max: span }).map((n) => plusDays(from, n));
	const dateExceptionArb: fc.Arbitrary<DateException> = fc.oneof(
		dateArb.map((date) => ({ date, kind: 'closed' as const })),
		fc.tuple(dateArb, patternIdArb).map(([date, patternId]) => ({ date, kind: 'open' as const, patternId }))
	);
	const rangeExceptionArb: fc.Arbitrary<TimeRangeException> = fc
		.tuple(dateArb, fc.integer({ min: 6 * 12, max: 20 * 12 }), fc.integer({ min: 1, max: 36 }), fc.integer({ min: 0, max: 4 }))
		.map(([date, start, len, capacity]) => ({
			date,
			start: hhmm(start * 5),
			end: hhmm(Math.min(start * 5 + len * 5, 23 * 60 + 59)),
			capacity
		}));
	return fc.record({
		patterns: fc.tuple(...PATTERN_IDS.map(patternArb)),
		weekly: fc.array(fc.option(patternIdArb, { nil: null, freq: 3 }), { minLength: 7, maxLength: 7 }),
		dateExceptions: fc.uniqueArray(dateExceptionArb, { selector: (e) => e.date, maxLength: 6 }),
		rangeExceptions: fc.array(rangeExceptionArb, { maxLength: 6 })
	});
};

const scenarioArb = rangeArb.chain(({ from, to }) => rulesArb(from, to).map((rules) => ({ rules, from, to })));

// --- an independent reading of the rules -------------------------------------------------

function referenceWeekday(date: string): number {
	return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The pattern a date should use, straight from the rules as written in the requirements. */
function expectedPattern(rules: LocationRules, date: string): HoursPattern | null {
	const exception = rules.dateExceptions.find((e) => e.date === date);
	if (exception?.kind === 'closed') return null;
	const id =
		exception?.kind === 'open'
			? exception.patternId
			: holiday_jp.isHoliday(date) || date.slice(5) >= '12-29' || date.slice(5) <= '01-03'
				? null
				: rules.weekly[referenceWeekday(date)];
	return rules.patterns.find((p) => p.id === id) ?? null;
}

/** Slots one day should have: back to back from opening and again from lunch's end. */
function expectedDay(p: HoursPattern, date: string, ranges: readonly TimeRangeException[]): string[] {
	const open = mins(p.open);
	const close = mins(p.close);
	const len = p.slotMinutes;
	const starts: number[] = [];
	if (p.lunch) {
		for (let k = 0; k < Math.floor((mins(p.lunch.start) - open) / len); k++) starts.push(open + k * len);
		for (let k = 0; k < Math.floor((close - mins(p.lunch.end)) / len); k++) starts.push(mins(p.lunch.end) + k * len);
	} else {
		for (let k = 0; k < Math.floor((close - open) / len); k++) starts.push(open + k * len);
	}
	const out: string[] = [];
	for (const t of starts) {
		const hits = ranges.filter((r) => r.date === date && mins(r.start) < t + len && t < mins(r.end));
		const capacity = hits.length ? Math.min(...hits.map((r) => r.capacity)) : p.capacity;
		if (capacity > 0) out.push(`${date} ${hhmm(t)}-${hhmm(t + len)} x${capacity}`);
	}
	return out;
}

const describeSlot = (s: GeneratedSlot) => `${s.date} ${s.start}-${s.end} x${s.capacity}`;

function byDate(slots: GeneratedSlot[]): Map<string, GeneratedSlot[]> {
	const map = new Map<string, GeneratedSlot[]>();
	for (const s of slots) map.set(s.date, [...(map.get(s.date) ?? []), s]);
	return map;
}

const RUNS = { numRuns: 150 };

// --- properties --------------------------------------------------------------------------

describe('slot generation', () => {
	it('R-S06 generated slots never overlap and stay inside opening hours, outside lunch', () => {
		fc.assert(
			fc.property(scenarioArb, ({ rules, from, to }) => {
				const slots = generateSlots(rules, from, to);
				for (const [date, day] of byDate(slots)) {
					const p = expectedPattern(rules, date);
					expect(p).not.toBeNull();
					if (!p) continue;
					const sorted = [...day].sort((a, b) => mins(a.start) - mins(b.start));
					for (let i = 0; i < sorted.length; i++) {
						const s = sorted[i];
						expect(mins(s.start)).toBeGreaterThanOrEqual(mins(p.open));
						expect(mins(s.end)).toBeLessThanOrEqual(mins(p.close));
						expect(mins(s.end) - mins(s.start)).toBe(p.slotMinutes);
						if (p.lunch) expect(mins(s.end) <= mins(p.lunch.start) || mins(s.start) >= mins(p.lunch.end)).toBe(true);
						if (i > 0) expect(mins(s.start)).toBeGreaterThanOrEqual(mins(sorted[i - 1].end));
						expect(s.capacity).toBeGreaterThan(0);
						expect(s.startsAt).toBe(`${s.date}T${s.start}:00+09:00`);
					}
				}
			}),
			RUNS
		);
	});

	it('R-S06 generation honours closed days, holidays, 年末年始, extra days, the weekly plan and time ranges', () => {
		let sawHoliday = 0;
		let sawExtra = 0;
		fc.assert(
			fc.property(scenarioArb, ({ rules, from, to }) => {
				const actual = generateSlots(rules, from, to).map(describeSlot);
				const expected: string[] = [];
				for (let d = from; d <= to; d = plusDays(d, 1)) {
					if (holiday_jp.isHoliday(d)) sawHoliday++;
					if (rules.dateExceptions.some((e) => e.date === d && e.kind === 'open')) sawExtra++;
					const p = expectedPattern(rules, d);
					if (p) expected.push(...expectedDay(p, d, rules.rangeExceptions));
				}
				expect(actual).toEqual(expected);
			}),
			RUNS
		);
		// the generators really exercised the interesting days
		expect(sawHoliday).toBeGreaterThan(20);
		expect(sawExtra).toBeGreaterThan(20);
	});

	it('R-S06 generation is deterministic and independent of the order exceptions are listed in', () => {
		fc.assert(
			fc.property(scenarioArb, fc.boolean(), ({ rules, from, to }, reverse) => {
				const first = generateSlots(rules, from, to);
				expect(generateSlots(rules, from, to)).toEqual(first);
				const reordered: LocationRules = {
					...rules,
					patterns: [...rules.patterns].reverse(),
					dateExceptions: reverse ? [...rules.dateExceptions].reverse() : rules.dateExceptions,
					rangeExceptions: [...rules.rangeExceptions].reverse()
				};
				expect(generateSlots(reordered, from, to)).toEqual(first);
			}),
			{ numRuns: 80 }
		);
	});

	it('R-S06 an invalid pattern yields no slots rather than bad ones', () => {
		const bad: HoursPattern[] = [
			{ id: 'p', nameJa: 'x', nameEn: 'x', open: '17:00', close: '09:00', lunch: null, slotMinutes: 15, capacity: 2 },
			{ id: 'p', nameJa: 'x', nameEn: 'x', open: '09:00', close: '17:00', lunch: null, slotMinutes: 0, capacity: 2 },
			{ id: 'p', nameJa: 'x', nameEn: 'x', open: '09:00', close: '17:00', lunch: null, slotMinutes: 15, capacity: -1 },
			{ id: 'p', nameJa: 'x', nameEn: 'x', open: '09:00', close: '17:00', lunch: { start: '18:00', end: '19:00' }, slotMinutes: 15, capacity: 2 }
		];
		for (const p of bad) {
			const rules: LocationRules = { patterns: [p], weekly: Array(7).fill('p'), dateExceptions: [], rangeExceptions: [] };
			expect(generateSlots(rules, '2027-02-01', '2027-02-07')).toEqual([]);
		}
		const good: LocationRules = { patterns: [{ ...bad[0], open: '09:00', close: '10:00' }], weekly: Array(7).fill('p'), dateExceptions: [], rangeExceptions: [] };
		expect(generateSlots(good, '2027-02-01', '2027-02-07')).toHaveLength(28);
	});
});
