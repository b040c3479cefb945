import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import { canUndoIssue, UNDO_ISSUE_MINUTES } from '../../domain/counter.ts';
import { activeCards, lockReservation, moveCards, publish, visitFinished, type PersonCard } from './rows.ts';

interface CardInput {
	reservationId: string;
	cardId: string;
	ip?: string | null;
}

function cardOf(cards: PersonCard[], cardId: string): PersonCard {
	const card = cards.find((c) => c.card_id === cardId);
	if (!card) throw new AppError('not_found', 'この予約にそのカードはありません。');
	return card;
}

async function setReservationStatus(ctx: AppContext, t: import('sequelize').Transaction, id: string, status: 'active' | 'completed') {
	await ctx.db.sequelize.query(`UPDATE reservations SET status = :status, updated_at = now() WHERE id = :id AND status IN ('active','completed')`, {
		replacements: { id, status },
		transaction: t
	});
	// R-S08 R-C12: a finished visit no longer holds the cards sent back for re-procedure (不備・再手続):
	// those persons must be able to book again (one active booking per card). The visit keeps them
	// as its record (completed visits list every person; the card's history names this visit).
	if (status === 'completed') {
		await ctx.db.sequelize.query(
			`UPDATE reservation_persons p SET active = false, updated_at = now() FROM card_records c
			  WHERE p.reservation_id = :id AND p.active AND c.id = p.card_record_id AND c.status = 'needs_redo'`,
			{ replacements: { id }, transaction: t }
		);
	}
}

/** R-S08: the card is handed over (交付済). When every person of the visit has a result, the visit is completed. */
export async function markIssued(ctx: AppContext, principal: Principal | null, input: CardInput & { note?: string | null }) {
	const clerk = requireRole(principal, 'clerk');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		await requireLocation(ctx, clerk, r.location_id, t);
		const cards = await activeCards(ctx, t, r.id);
		const card = cardOf(cards, input.cardId);
		if (card.status === 'issued') throw new AppError('conflict', 'このカードはすでに交付済です。');
		if (card.status !== 'checked_in') throw new AppError('conflict', '来庁受付の済んでいないカードは交付済にできません。');
		const moved = await moveCards(ctx, t, [card], 'issued', { login: clerk.login, reservationId: r.id, note: input.note });
		card.status = 'issued';
		if (visitFinished(cards)) await setReservationStatus(ctx, t, r.id, 'completed');
		await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'card.issued', targetType: 'card', targetId: input.cardId, detail: { reservationId: r.id }, ip: input.ip }, t);
		return { r, moved };
	});
	publish(ctx, r, moved);
	return { cardId: input.cardId, status: 'issued' as const };
}

/**
 * R-S08 R-S15: the card cannot be handed over today (documents missing, PIN not decided …):
 * 来庁 → 不備・再手続, with the clerk's note in the card's history.
 */
export async function markNeedsRedo(ctx: AppContext, principal: Principal | null, input: CardInput & { note: string }) {
	const clerk = requireRole(principal, 'clerk');
	const note = input.note.trim();
	if (!note) throw new AppError('bad_request', '不備の内容を入力してください。', { errors: [{ field: 'note', message: '不備の内容を入力してください。' }] });
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		await requireLocation(ctx, clerk, r.location_id, t);
		const cards = await activeCards(ctx, t, r.id);
		const card = cardOf(cards, input.cardId);
		if (card.status !== 'checked_in') throw new AppError('conflict', '来庁受付の済んだ（交付前の）カードだけを不備・再手続にできます。');
		const moved = await moveCards(ctx, t, [card], 'needs_redo', { login: clerk.login, reservationId: r.id, note });
		card.status = 'needs_redo';
		if (visitFinished(cards)) await setReservationStatus(ctx, t, r.id, 'completed');
		// The note may name documents or circumstances: it stays in the card's history, not in the 操作ログ.
		await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'card.needs_redo', targetType: 'card', targetId: input.cardId, detail: { reservationId: r.id }, ip: input.ip }, t);
		return { r, moved };
	});
	publish(ctx, r, moved);
	return { cardId: input.cardId, status: 'needs_redo' as const };
}

/**
 * Takes back a 交付済 recorded by mistake, within UNDO_ISSUE_MINUTES: the card returns to 来庁,
 * the visit to active. The transition table has no way out of 交付済 on purpose; this is the one
 * exception, audited and limited in time.
 */
export async function undoIssue(ctx: AppContext, principal: Principal | null, input: CardInput) {
	const clerk = requireRole(principal, 'clerk');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		await requireLocation(ctx, clerk, r.location_id, t);
		const cards = await activeCards(ctx, t, r.id);
		const card = cardOf(cards, input.cardId);
		if (card.status !== 'issued') throw new AppError('conflict', 'このカードは交付済ではありません。');
		const [last] = await ctx.db.sequelize.query<{ at: Date }>(
			`SELECT at FROM card_status_history WHERE card_record_id = :id AND to_status = 'issued' ORDER BY id DESC LIMIT 1`,
			{ replacements: { id: card.card_id }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!last || !canUndoIssue(new Date(last.at), ctx.now())) {
			throw new AppError('conflict', `交付済にしてから${UNDO_ISSUE_MINUTES}分を過ぎたため、元に戻せません。監督者に相談してください。`, { extra: { reason: 'undo_expired' } });
		}
		const moved = await moveCards(ctx, t, [card], 'checked_in', { login: clerk.login, reservationId: r.id, note: '交付済の取消（誤操作）', force: true });
		await setReservationStatus(ctx, t, r.id, 'active');
		await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'card.issue_undone', targetType: 'card', targetId: input.cardId, detail: { reservationId: r.id }, ip: input.ip }, t);
		return { r, moved };
	});
	publish(ctx, r, moved);
	return { cardId: input.cardId, status: 'checked_in' as const };
}
