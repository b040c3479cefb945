import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	DEFAULT_PATTERNS,
	DEFAULT_WEEKLY_PLAN,
	SLOT_LENGTHS,
	generateSlots,
	isNoop,
	planRegeneration,
	type ExistingSlot,
	type GeneratedSlot,
	type LocationRules,
	type RegenerationPlan
} from '../../../src/lib/domain/schedule/index.ts';

const FROM = '2027-02-01';
const TO = '2027-02-14';
const mins = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const key = (s: { date: string; start: string; end: string }) => `${s.date} ${s.start}-${s.end}`;

/** Rules that differ in the ways staff change them: hours, slot length, lunch, capacity, days. */
const rulesArb: fc.Arbitrary<LocationRules> = fc
	.record({
		open: fc.constantFrom('08:30', '08:45', '09:00'),
		close: fc.constantFrom('12:00', '16:00', '17:15'),
		lunch: fc.constantFrom(null, { start: '12:00', end: '13:00' }, { start: '11:50', end: '12:40' }),
		slotMinutes: fc.constantFrom(...SLOT_LENGTHS),
		capacity: fc.integer({ min: 0, max: 4 }),
		weekly: fc.array(fc.constantFrom('normal', null), { minLength: 7, maxLength: 7 }),
		closed: fc.subarray(['2027-02-03', '2027-02-08', '2027-02-10']),
		range: fc.option(fc.record({ date: fc.constantFrom('2027-02-02', '2027-02-09'), capacity: fc.integer({ min: 0, max: 3 }) }), {
			nil: null
		})
	})
	.map(({ open, close, lunch, slotMinutes, capacity, weekly, closed, range }) => ({
		patterns: [{ ...DEFAULT_PATTERNS[0], open, close, lunch: close > '13:00' ? lunch : null, slotMinutes, capacity }],
		weekly,
		dateExceptions: closed.map((date) => ({ date, kind: 'closed' as const })),
		rangeExceptions: range ? [{ ...range, start: '10:00', end: '11:00' }] : []
	}));

/** Stored slots as an earlier rule set left them, some of them booked. */
const storedArb = (rules: LocationRules): fc.Arbitrary<ExistingSlot<number>[]> => {
	const slots = generateSlots(rules, FROM, TO);
	return fc
		.tuple(
			fc.subarray(slots.map((_, i) => i)),
			fc.array(fc.integer({ min: 0, max: 3 }), { minLength: slots.length, maxLength: slots.length })
		)
		.map(([kept, booked]) =>
			kept.map((i) => ({
				id: i + 1,
				date: slots[i].date,
				start: slots[i].start,
				end: slots[i].end,
				capacity: slots[i].capacity,
				// most slots empty, as in a real calendar some weeks out
				booked: booked[i] === 3 ? 1 : 0
			}))
		);
};

/** The same hours with another capacity or time-range exception: the common edit, producing updates. */
const sameGridArb = (before: LocationRules): fc.Arbitrary<LocationRules> =>
	fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })).map(([capacity, rangeCapacity]) => ({
		...before,
		patterns: [{ ...before.patterns[0], capacity }],
		rangeExceptions: [{ date: '2027-02-04', start: '09:00', end: '10:00', capacity: rangeCapacity }]
	}));

const scenarioArb = rulesArb.chain((before) =>
	fc.tuple(storedArb(before), fc.oneof(rulesArb, fc.constant(before), sameGridArb(before))).map(([stored, after]) => ({
		stored,
		generated: generateSlots(after, FROM, TO)
	}))
);

/** What the database holds after the plan is carried out. */
function apply(stored: ExistingSlot<number>[], plan: RegenerationPlan<number>): ExistingSlot<number>[] {
	const removed = new Set(plan.remove);
	const capacity = new Map(plan.update.map((u) => [u.id, u.capacity]));
	let nextId = Math.max(0, ...stored.map((s) => s.id)) + 1;
	return [
		...stored.filter((s) => !removed.has(s.id)).map((s) => ({ ...s, capacity: capacity.get(s.id) ?? s.capacity })),
		...plan.create.map((g: GeneratedSlot) => ({ id: nextId++, date: g.date, start: g.start, end: g.end, capacity: g.capacity, booked: 0 }))
	];
}

function overlapsWithin(slots: ExistingSlot<number>[]): boolean {
	const sorted = [...slots].sort((a, b) => (a.date === b.date ? mins(a.start) - mins(b.start) : a.date < b.date ? -1 : 1));
	return sorted.some((s, i) => i > 0 && sorted[i - 1].date === s.date && mins(s.start) < mins(sorted[i - 1].end));
}

describe('slot regeneration', () => {
	it('R-S06 planRegeneration is idempotent: applying the plan and planning again leaves nothing to do', () => {
		fc.assert(
			fc.property(scenarioArb, ({ stored, generated }) => {
				const plan = planRegeneration(stored, generated);
				const after = apply(stored, plan);
				const again = planRegeneration(after, generated);
				expect(again.create).toEqual([]);
				expect(again.update).toEqual([]);
				expect(again.remove).toEqual([]);
				expect(isNoop(again)).toBe(true);
				// orphans and blocked slots are reported again, unchanged, until staff deal with them
				expect(again.orphaned).toEqual(plan.orphaned);
				expect(again.blocked).toEqual(plan.blocked);
			}),
			{ numRuns: 150 }
		);
	});

	it('R-S06 planRegeneration never drops a booked slot and reports the ones the new rules no longer produce', () => {
		fc.assert(
			fc.property(scenarioArb, ({ stored, generated }) => {
				const plan = planRegeneration(stored, generated);
				const after = apply(stored, plan);
				const afterIds = new Set(after.map((s) => s.id));
				const wanted = new Set(generated.map(key));
				for (const s of stored.filter((x) => x.booked > 0)) {
					expect(afterIds.has(s.id)).toBe(true);
					expect(plan.remove).not.toContain(s.id);
					expect(plan.orphaned.some((o) => o.id === s.id)).toBe(!wanted.has(key(s)));
				}
				for (const id of plan.remove) expect(stored.find((s) => s.id === id)?.booked).toBe(0);
			}),
			{ numRuns: 150 }
		);
	});

	it('R-S06 after regeneration the stored slots are exactly the generated ones, plus kept orphans, minus blocked ones, and never overlap', () => {
		const seen = { orphaned: 0, blocked: 0, update: 0, create: 0, remove: 0 };
		fc.assert(
			fc.property(scenarioArb, ({ stored, generated }) => {
				const plan = planRegeneration(stored, generated);
				for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += plan[k].length > 0 ? 1 : 0;
				const after = apply(stored, plan);
				expect(overlapsWithin(after)).toBe(false);
				const orphanIds = new Set(plan.orphaned.map((o) => o.id));
				const expected = [
					...generated.filter((g) => !plan.blocked.includes(g)).map((g) => `${key(g)} x${g.capacity}`),
					...plan.orphaned.map((o) => `${key(o)} x${o.capacity}`)
				].sort();
				const actual = after.map((s) => `${key(s)} x${s.capacity}`).sort();
				expect(actual).toEqual(expected);
				for (const s of after) if (!orphanIds.has(s.id)) expect(generated.some((g) => key(g) === key(s))).toBe(true);
			}),
			{ numRuns: 150 }
		);
		// every branch of the plan was exercised by the random scenarios
		for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
	});

	it('R-S06 closing a day with bookings keeps the booked slots as orphans and removes the empty ones', () => {
		const rules: LocationRules = { patterns: DEFAULT_PATTERNS, weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] };
		const slots = generateSlots(rules, '2027-02-03', '2027-02-03');
		const stored = slots.map((s, i) => ({ id: `s${i}`, date: s.date, start: s.start, end: s.end, capacity: s.capacity, booked: i === 4 ? 2 : 0 }));
		const closed = { ...rules, dateExceptions: [{ date: '2027-02-03', kind: 'closed' as const }] };
		const plan = planRegeneration(stored, generateSlots(closed, '2027-02-03', '2027-02-03'));
		expect(plan.orphaned).toEqual([stored[4]]);
		expect(plan.remove).toHaveLength(stored.length - 1);
		expect(plan.remove).not.toContain('s4');
		expect(plan.create).toEqual([]);
	});

	it('R-S06 a capacity change becomes an update, and slots overlapping a kept booked slot wait as blocked', () => {
		const rules: LocationRules = { patterns: DEFAULT_PATTERNS, weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] };
		const stored = generateSlots(rules, '2027-02-03', '2027-02-03').map((s, i) => ({ ...s, id: i, booked: s.start === '09:00' ? 1 : 0 }));
		const thirty = { ...rules, patterns: [{ ...DEFAULT_PATTERNS[0], slotMinutes: 30, capacity: 3 }] };
		const plan = planRegeneration(stored, generateSlots(thirty, '2027-02-03', '2027-02-03'));
		// 08:45–09:15 (new grid) would overlap the booked 09:00–09:15: it waits; 08:45–09:00 was empty and goes
		expect(plan.orphaned.map((o) => o.start)).toEqual(['09:00']);
		expect(plan.blocked.map((b) => `${b.start}-${b.end}`)).toEqual(['08:45-09:15']);
		expect(plan.create[0]).toMatchObject({ start: '09:15', end: '09:45', capacity: 3 });

		const more = planRegeneration(stored, generateSlots({ ...rules, patterns: [{ ...DEFAULT_PATTERNS[0], capacity: 5 }] }, '2027-02-03', '2027-02-03'));
		expect(more.update).toHaveLength(stored.length);
		expect(more.update.every((u) => u.capacity === 5)).toBe(true);
		expect(more.create).toEqual([]);
		expect(more.remove).toEqual([]);
	});
});
