import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext, CardStatusChange } from './context.ts';
import { AppError } from './errors.ts';
import { audit } from './audit.ts';
import { requireRole, type Principal } from './auth/session.ts';
import { canTransition, type CardStatus } from '../domain/card-status.ts';
import { tokyoDateOf } from '../domain/dates.ts';

interface ReservationRow {
	id: string;
	location_id: number;
	date: string;
	status: string;
	party_size: number;
	checked_in_at: Date | null;
}

interface PersonCard {
	card_id: string;
	status: CardStatus;
}

async function moveCards(
	ctx: AppContext,
	t: Transaction,
	cards: PersonCard[],
	to: CardStatus,
	who: { login: string; reservationId: string; note?: string | null }
): Promise<{ cardId: string; from: CardStatus; to: CardStatus }[]> {
	const moved = [];
	for (const c of cards) {
		if (!canTransition(c.status, to)) continue;
		await ctx.db.sequelize.query(`UPDATE card_records SET status = :to, updated_at = now() WHERE id = :id`, { replacements: { to, id: c.card_id }, transaction: t });
		await ctx.db.sequelize.query(
			`INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, reservation_id, note)
			 VALUES (:id, :from, :to, 'staff', :by, :rid, :note)`,
			{ replacements: { id: c.card_id, from: c.status, to, by: who.login, rid: who.reservationId, note: who.note ?? null }, transaction: t }
		);
		moved.push({ cardId: c.card_id, from: c.status, to });
	}
	return moved;
}

async function lockReservation(ctx: AppContext, t: Transaction, id: string): Promise<ReservationRow> {
	const [r] = await ctx.db.sequelize.query<ReservationRow>(
		`SELECT id, location_id, date::text AS date, status, party_size, checked_in_at FROM reservations WHERE id = :id FOR UPDATE`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
	return r;
}

async function activeCards(ctx: AppContext, t: Transaction, reservationId: string): Promise<PersonCard[]> {
	// Lock the card rows in id order so two counters working on one household cannot deadlock.
	return ctx.db.sequelize.query<PersonCard>(
		`SELECT c.id AS card_id, c.status FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
		  WHERE p.reservation_id = :rid AND p.active ORDER BY c.id FOR UPDATE OF c`,
		{ replacements: { rid: reservationId }, type: QueryTypes.SELECT, transaction: t }
	);
}

function publish(ctx: AppContext, r: ReservationRow, moved: { cardId: string; from: string; to: string }[]) {
	ctx.events.slotsChanged(r.location_id, [r.date]);
	const changes: CardStatusChange[] = moved.map((m) => ({ ...m, locationId: r.location_id, date: r.date }));
	if (changes.length) ctx.events.cardStatusChanged(changes);
}

/**
 * R-S15: the household arrives at the counter. The visit's first slot counts them as checked in,
 * each active person's card moves 予約済 → 来庁, and every screen hears of it after commit (R-L03).
 */
export async function checkIn(ctx: AppContext, principal: Principal | null, input: { reservationId: string; ip?: string | null }) {
	const clerk = requireRole(principal, 'clerk');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		if (r.status !== 'active') throw new AppError('conflict', 'この予約は受付できません（取消済み・完了済みなど）。');
		if (r.checked_in_at) throw new AppError('conflict', 'この予約はすでに来庁受付済みです。');
		if (r.date !== tokyoDateOf(ctx.now())) throw new AppError('conflict', `本日の予約ではありません（予約日 ${r.date}）。`);
		const cards = await activeCards(ctx, t, r.id);
		await ctx.db.sequelize.query(`UPDATE reservations SET checked_in_at = :now, updated_at = now() WHERE id = :id`, {
			replacements: { id: r.id, now: ctx.now().toISOString() },
			transaction: t
		});
		await ctx.db.sequelize.query(
			`UPDATE slots SET checked_in = checked_in + :n, version = version + 1, updated_at = now()
			  WHERE id = (SELECT s.id FROM reservation_slots rs JOIN slots s ON s.id = rs.slot_id WHERE rs.reservation_id = :rid ORDER BY s.starts_at LIMIT 1)`,
			{ replacements: { n: cards.length, rid: r.id }, transaction: t }
		);
		const moved = await moveCards(ctx, t, cards, 'checked_in', { login: clerk.login, reservationId: r.id });
		await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'reservation.checked_in', targetType: 'reservation', targetId: r.id, detail: { persons: cards.length }, ip: input.ip }, t);
		return { r, moved };
	});
	publish(ctx, r, moved);
	return { reservationId: r.id, checkedIn: moved.length };
}

/** R-S08: the card is handed over (交付済). When every person of the visit has theirs, the visit is completed. */
export async function markIssued(ctx: AppContext, principal: Principal | null, input: { reservationId: string; cardId: string; note?: string | null; ip?: string | null }) {
	const clerk = requireRole(principal, 'clerk');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		const cards = await activeCards(ctx, t, r.id);
		const card = cards.find((c) => c.card_id === input.cardId);
		if (!card) throw new AppError('not_found', 'この予約にそのカードはありません。');
		if (card.status !== 'checked_in') throw new AppError('conflict', '来庁受付の済んでいないカードは交付済にできません。');
		const moved = await moveCards(ctx, t, [card], 'issued', { login: clerk.login, reservationId: r.id, note: input.note });
		if (cards.every((c) => c.card_id === input.cardId || c.status === 'issued')) {
			await ctx.db.sequelize.query(`UPDATE reservations SET status = 'completed', updated_at = now() WHERE id = :id`, { replacements: { id: r.id }, transaction: t });
		}
		await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'card.issued', targetType: 'card', targetId: input.cardId, detail: { reservationId: r.id }, ip: input.ip }, t);
		return { r, moved };
	});
	publish(ctx, r, moved);
	return { cardId: input.cardId, status: 'issued' as const };
}
