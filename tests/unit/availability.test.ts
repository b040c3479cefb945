import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayLevel, levelFor, slotLevel, LEVEL_LABELS, LEVELS } from '../../src/lib/domain/availability.ts';

describe('availability levels', () => {
	it('R-C05 every level has a symbol and a text, so colour is never the only signal', () => {
		expect(LEVELS.map((l) => `${LEVEL_LABELS[l].symbol} ${LEVEL_LABELS[l].ja}`)).toEqual(['◎ 空きあり', '△ 残りわずか', '× 満員', '— 受付なし']);
	});

	it('R-C05 remaining capacity maps to many, few, none; no capacity or not open is closed', () => {
		expect(levelFor(10, 10)).toBe('many');
		expect(levelFor(2, 10)).toBe('few');
		expect(levelFor(0, 10)).toBe('none');
		expect(levelFor(-1, 10)).toBe('none');
		expect(levelFor(0, 0)).toBe('closed');
		expect(slotLevel({ capacity: 5, taken: 0, open: false })).toBe('closed');
		expect(dayLevel([])).toBe('closed');
		expect(dayLevel([{ capacity: 3, taken: 3, open: true }, { capacity: 3, taken: 3, open: true }])).toBe('none');
	});

	it('R-C05 taking one more place never raises the level (monotone)', () => {
		const rank = { many: 0, few: 1, none: 2, closed: 3 } as const;
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 0, max: 500 }), (capacity, taken) => {
				const before = levelFor(capacity - taken, capacity);
				const after = levelFor(capacity - taken - 1, capacity);
				return rank[after] >= rank[before];
			})
		);
	});

	it('R-C05 a day is none exactly when none of its open slots has room', () => {
		fc.assert(
			fc.property(
				fc.array(fc.record({ capacity: fc.integer({ min: 0, max: 20 }), taken: fc.integer({ min: 0, max: 25 }), open: fc.boolean() }), { maxLength: 20 }),
				(slots) => {
					const open = slots.filter((s) => s.open && s.capacity > 0);
					const level = dayLevel(slots);
					if (open.length === 0) return level === 'closed';
					const room = open.some((s) => s.capacity - s.taken > 0);
					return room ? level !== 'none' && level !== 'closed' : level === 'none';
				}
			)
		);
	});
});
