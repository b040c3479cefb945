import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	DEFAULT_PATTERNS,
	DEFAULT_PURPOSES,
	findConsecutiveSlots,
	slotsForDay,
	validatePurpose,
	type GeneratedSlot
} from '../../../src/lib/domain/schedule/index.ts';

const day = (lunch: { start: string; end: string } | null = { start: '12:00', end: '13:00' }) =>
	slotsForDay({ ...DEFAULT_PATTERNS[0], open: '09:00', close: '17:00', slotMinutes: 30, lunch }, '2027-02-03');

describe('appointment purposes (用件)', () => {
	it('R-S17 card issuance comes first, then electronic certificate renewal, each with its own precautions', () => {
		expect(DEFAULT_PURPOSES.map((p) => p.nameJa)).toEqual(['カードの交付', '電子証明書の更新']);
		for (const p of DEFAULT_PURPOSES) {
			expect(validatePurpose(p)).toEqual([]);
			expect(p.durationSlots).toBe(1);
			expect(p.precautionsJa.length).toBeGreaterThan(10);
			expect(p.precautionsEn.length).toBeGreaterThan(10);
		}
		expect(new Set(DEFAULT_PURPOSES.map((p) => p.precautionsJa)).size).toBe(DEFAULT_PURPOSES.length);
	});

	it('R-S17 a purpose needs a code, names and at least one slot', () => {
		const p = DEFAULT_PURPOSES[0];
		expect(validatePurpose({ ...p, code: 'Card Issuance', nameJa: '', durationSlots: 0 })).toEqual([
			{ field: 'code', message: 'コードは半角英小文字・数字・ハイフン・アンダースコアで入力してください' },
			{ field: 'nameJa', message: '入力してください' },
			{ field: 'durationSlots', message: '必要な枠数は 1 以上の整数にしてください' }
		]);
		expect(validatePurpose({ ...p, durationSlots: 1.5 })).toHaveLength(1);
	});

	it('R-S17 a two-slot purpose takes the slot chosen and the one right after it', () => {
		const result = findConsecutiveSlots(day(), { date: '2027-02-03', start: '10:00' }, 2);
		expect(result).toEqual({ ok: true, slots: [expect.objectContaining({ start: '10:00' }), expect.objectContaining({ start: '10:30' })] });
	});

	it('R-S17 a run cannot cross the lunch break, closing time or a missing slot', () => {
		expect(findConsecutiveSlots(day(), { date: '2027-02-03', start: '11:30' }, 2)).toEqual({ ok: false, reason: 'does_not_fit' });
		expect(findConsecutiveSlots(day(), { date: '2027-02-03', start: '16:30' }, 2)).toEqual({ ok: false, reason: 'does_not_fit' });
		const gap = day().filter((s) => s.start !== '14:30');
		expect(findConsecutiveSlots(gap, { date: '2027-02-03', start: '14:00' }, 2)).toEqual({ ok: false, reason: 'does_not_fit' });
		expect(findConsecutiveSlots(day(), { date: '2027-02-03', start: '10:15' }, 1)).toEqual({ ok: false, reason: 'not_found' });
		expect(findConsecutiveSlots(day(null), { date: '2027-02-03', start: '11:30' }, 2).ok).toBe(true);
	});

	it('R-S17 the caller can require every slot of the run to be usable (e.g. enough places left)', () => {
		const full = new Set(['10:30']);
		const usable = (s: GeneratedSlot) => !full.has(s.start);
		expect(findConsecutiveSlots(day(), { date: '2027-02-03', start: '10:00' }, 2, usable)).toEqual({ ok: false, reason: 'unavailable' });
		expect(findConsecutiveSlots(day(), { date: '2027-02-03', start: '09:00' }, 3, usable).ok).toBe(true);
	});

	it('R-S17 findConsecutiveSlots agrees with a reference that walks the sorted day, for random gaps and lengths', () => {
		const all = day();
		fc.assert(
			fc.property(
				fc.subarray(all.map((s) => s.start)),
				fc.constantFrom(...all.map((s) => s.start), '08:30'),
				fc.integer({ min: 1, max: 5 }),
				(present, first, n) => {
					const slots = all.filter((s) => present.includes(s.start)).reverse();
					const sorted = [...slots].sort((a, b) => (a.start < b.start ? -1 : 1));
					const i = sorted.findIndex((s) => s.start === first);
					const result = findConsecutiveSlots(slots, { date: '2027-02-03', start: first }, n);
					const run = sorted.slice(i, i + n);
					const fits = i >= 0 && run.length === n && run.every((s, j) => j === 0 || run[j - 1].end === s.start);
					const expected = i < 0 ? { ok: false, reason: 'not_found' } : fits ? { ok: true, slots: run } : { ok: false, reason: 'does_not_fit' };
					expect(result).toEqual(expected);
				}
			),
			{ numRuns: 300 }
		);
	});
});
