/**
 * Card status lifecycle for changes staff make by hand (R-S08), single or bulk. The full
 * machine is CARD_TRANSITIONS (card-status.ts); by hand, staff may take every edge of it except
 * into 予約済 and 来庁: those belong to booking and check-in, which also write the reservation,
 * so a card never says 予約済 without a reservation behind it.
 */
import { CARD_STATUSES, CARD_TRANSITIONS, type CardStatus } from '../card-status.ts';

export const BOOKING_OWNED: readonly CardStatus[] = ['reserved', 'checked_in'];

export type Refusal = 'same' | 'not_allowed' | 'booking_only' | 'has_visit';

/**
 * A card with an active visit keeps it: moving it back to 通知書発送済, or to 返戻 or 取消, by hand
 * would leave the visit holding a place for a card that no longer says 予約済. Cancel the visit instead.
 */
export const VISIT_BLOCKS: readonly CardStatus[] = ['notice_sent', 'returned', 'cancelled'];

/** Why `from → to` may not be done by hand, or null when it may. */
export function manualRefusal(from: CardStatus, to: CardStatus, hasActiveVisit = false): Refusal | null {
	if (from === to) return 'same';
	if (BOOKING_OWNED.includes(to)) return 'booking_only';
	if (!CARD_TRANSITIONS[from].includes(to)) return 'not_allowed';
	if (hasActiveVisit && VISIT_BLOCKS.includes(to)) return 'has_visit';
	return null;
}

/** The statuses staff can move a card in `from` to by hand. */
export function manualTargets(from: CardStatus): CardStatus[] {
	return CARD_STATUSES.filter((to) => manualRefusal(from, to) === null);
}

export const REFUSAL_MESSAGES: Record<Refusal, string> = {
	same: 'すでにその状態です',
	not_allowed: 'その状態からは変更できません',
	booking_only: '予約済・来庁は予約・来庁受付の画面で変更します',
	has_visit: '有効な予約があります。先に予約を取り消してください'
};

export interface BulkPlan<C extends { id: string; status: CardStatus; hasActiveVisit?: boolean }> {
	change: { card: C; from: CardStatus; to: CardStatus }[];
	unchanged: C[];
	refused: { card: C; from: CardStatus; reason: Refusal }[];
}

/** Splits a bulk request: cards already in `to` stay as they are; others change or are refused with a reason. */
export function planBulk<C extends { id: string; status: CardStatus; hasActiveVisit?: boolean }>(cards: readonly C[], to: CardStatus): BulkPlan<C> {
	const plan: BulkPlan<C> = { change: [], unchanged: [], refused: [] };
	for (const card of cards) {
		const why = manualRefusal(card.status, to, card.hasActiveVisit ?? false);
		if (why === 'same') plan.unchanged.push(card);
		else if (why) plan.refused.push({ card, from: card.status, reason: why });
		else plan.change.push({ card, from: card.status, to });
	}
	return plan;
}
