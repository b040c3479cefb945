import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CARD_STATUSES, CARD_TRANSITIONS, type CardStatus } from '../../../src/lib/domain/card-status.ts';
import { manualRefusal, manualTargets, planBulk, BOOKING_OWNED } from '../../../src/lib/domain/cards/lifecycle.ts';

/** The manual transitions, written out by hand: the table the code must match. */
const ALLOWED: Record<CardStatus, CardStatus[]> = {
	notice_sent: ['returned', 'cancelled'],
	reserved: ['notice_sent', 'no_show', 'cancelled'],
	checked_in: ['issued', 'needs_redo'],
	issued: [],
	needs_redo: ['notice_sent', 'cancelled'],
	no_show: ['notice_sent', 'cancelled'],
	returned: ['notice_sent', 'cancelled'],
	cancelled: []
};

describe('card status lifecycle (R-S08)', () => {
	for (const from of CARD_STATUSES) {
		for (const to of CARD_STATUSES) {
			const allowed = ALLOWED[from].includes(to);
			it(`R-S08 ${from} → ${to} is ${allowed ? 'allowed' : 'refused'} by hand`, () => {
				const why = manualRefusal(from, to);
				if (allowed) expect(why).toBeNull();
				else expect(why).toBe(from === to ? 'same' : BOOKING_OWNED.includes(to) ? 'booking_only' : 'not_allowed');
			});
		}
	}

	it('R-S08 manualTargets lists exactly the allowed statuses; 交付済 and 取消 are final', () => {
		for (const s of CARD_STATUSES) expect(manualTargets(s)).toEqual(CARD_STATUSES.filter((t) => ALLOWED[s].includes(t)));
		expect(manualTargets('issued')).toEqual([]);
		expect(manualTargets('cancelled')).toEqual([]);
	});

	it('R-S08 a bulk plan splits cards into change, unchanged (already there) and refused with reasons', () => {
		const cards = [
			{ id: '1', status: 'notice_sent' as const },
			{ id: '2', status: 'returned' as const },
			{ id: '3', status: 'issued' as const },
			{ id: '4', status: 'cancelled' as const }
		];
		const plan = planBulk(cards, 'cancelled');
		expect(plan.change.map((c) => [c.card.id, c.from, c.to])).toEqual([
			['1', 'notice_sent', 'cancelled'],
			['2', 'returned', 'cancelled']
		]);
		expect(plan.unchanged.map((c) => c.id)).toEqual(['4']);
		expect(plan.refused).toEqual([{ card: cards[2], from: 'issued', reason: 'not_allowed' }]);
	});

	it('R-S08 property: over random sequences of bulk requests every applied step is an edge of the machine, history replays to the final state, final states stay final', () => {
		const status = fc.constantFrom(...CARD_STATUSES);
		fc.assert(
			fc.property(fc.array(status, { minLength: 1, maxLength: 5 }), fc.array(status, { maxLength: 40 }), (starts, requests) => {
				let cards = starts.map((s, i) => ({ id: String(i), status: s }));
				const history = new Map<string, { from: CardStatus; to: CardStatus }[]>();
				for (const to of requests) {
					const plan = planBulk(cards, to);
					expect(plan.change.length + plan.unchanged.length + plan.refused.length).toBe(cards.length);
					for (const c of plan.change) {
						expect(CARD_TRANSITIONS[c.from]).toContain(c.to);
						expect(BOOKING_OWNED).not.toContain(c.to);
						expect(c.from === 'issued' || c.from === 'cancelled').toBe(false);
						history.set(c.card.id, [...(history.get(c.card.id) ?? []), { from: c.from, to: c.to }]);
					}
					const next = new Map(plan.change.map((c) => [c.card.id, c.to]));
					cards = cards.map((c) => ({ ...c, status: next.get(c.id) ?? c.status }));
				}
				for (const [i, start] of starts.entries()) {
					const h = history.get(String(i)) ?? [];
					let s = start;
					for (const step of h) {
						expect(step.from).toBe(s);
						s = step.to;
					}
					expect(s).toBe(cards[i].status);
				}
			}),
			{ numRuns: 500 }
		);
	});
});

describe('card with an active visit (R-S08, R-C12)', () => {
	it('R-S08 a reserved card with an active visit may become 未来庁 but not 通知書発送済 or 取消 by hand; without a visit it may', () => {
		expect(manualRefusal('reserved', 'no_show', true)).toBeNull();
		expect(manualRefusal('reserved', 'cancelled', true)).toBe('has_visit');
		expect(manualRefusal('reserved', 'notice_sent', true)).toBe('has_visit');
		expect(manualRefusal('checked_in', 'issued', true)).toBeNull();
		expect(manualRefusal('reserved', 'cancelled', false)).toBeNull();
		const plan = planBulk([{ id: '1', status: 'reserved' as const, hasActiveVisit: true }], 'cancelled');
		expect(plan.refused).toEqual([{ card: { id: '1', status: 'reserved', hasActiveVisit: true }, from: 'reserved', reason: 'has_visit' }]);
	});
});
