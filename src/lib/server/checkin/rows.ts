import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext, CardStatusChange } from '../context.ts';
import { AppError } from '../errors.ts';
import { canTransition, type CardStatus } from '../../domain/card-status.ts';

/** The reservation row the counter works on, locked for the transaction. */
export interface CounterRow {
	id: string;
	location_id: number;
	date: string;
	status: string;
	party_size: number;
	checked_in_at: Date | null;
}

export interface PersonCard {
	card_id: string;
	status: CardStatus;
}

export type Moved = { cardId: string; from: CardStatus; to: CardStatus };

/**
 * Lock order as everywhere (booking/reservation-lock.ts): reservation, then cards in id order,
 * then slot rows, so two counters working on one household cannot deadlock.
 */
export async function lockReservation(ctx: AppContext, t: Transaction, id: string): Promise<CounterRow> {
	const [r] = await ctx.db.sequelize.query<CounterRow>(
		`SELECT id, location_id, date::text AS date, status, party_size, checked_in_at FROM reservations WHERE id = :id FOR UPDATE`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
	return { ...r, id: String(r.id) };
}

/** The visit's persons still in it, and those it sent back for re-procedure (released when it completed). */
export async function activeCards(ctx: AppContext, t: Transaction, reservationId: string): Promise<PersonCard[]> {
	const rows = await ctx.db.sequelize.query<PersonCard>(
		`SELECT c.id AS card_id, c.status FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
		  WHERE p.reservation_id = :rid AND (p.active OR c.status = 'needs_redo') ORDER BY c.id FOR UPDATE OF c`,
		{ replacements: { rid: reservationId }, type: QueryTypes.SELECT, transaction: t }
	);
	return rows.map((c) => ({ card_id: String(c.card_id), status: c.status }));
}

/** Moves cards with a history row each (R-S08). `force` skips the transition table (the audited undo). */
export async function moveCards(
	ctx: AppContext,
	t: Transaction,
	cards: PersonCard[],
	to: CardStatus,
	who: { login: string; reservationId: string; note?: string | null; force?: boolean }
): Promise<Moved[]> {
	const moved: Moved[] = [];
	for (const c of cards) {
		if (!who.force && !canTransition(c.status, to)) continue;
		await ctx.db.sequelize.query(`UPDATE card_records SET status = :to, updated_at = now() WHERE id = :id`, { replacements: { to, id: c.card_id }, transaction: t });
		await ctx.db.sequelize.query(
			`INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, reservation_id, note, at)
			 VALUES (:id, :from, :to, 'staff', :by, :rid, :note, :at)`,
			{ replacements: { id: c.card_id, from: c.status, to, by: who.login, rid: who.reservationId, note: who.note ?? null, at: ctx.now().toISOString() }, transaction: t }
		);
		moved.push({ cardId: c.card_id, from: c.status, to });
	}
	return moved;
}

/** A visit is finished when every person has a result: 交付済 or 不備・再手続. */
export const visitFinished = (cards: readonly PersonCard[]) => cards.length > 0 && cards.every((c) => c.status === 'issued' || c.status === 'needs_redo');

/** After commit only: the staff grids, visit lists and boards follow (R-L02, R-L03). */
export function publish(ctx: AppContext, r: CounterRow, moved: readonly Moved[]) {
	ctx.events.slotsChanged(r.location_id, [r.date]);
	const changes: CardStatusChange[] = moved.map((m) => ({ ...m, locationId: r.location_id, date: r.date }));
	if (changes.length) ctx.events.cardStatusChanged(changes);
}
