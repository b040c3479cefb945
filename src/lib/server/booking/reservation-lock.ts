import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { AppError } from '../errors.ts';
import type { ReservationStatus } from '../../../../db/models/reservation.ts';
import type { CardStatus } from '../../domain/card-status.ts';

export interface LockedReservation {
	id: string;
	bookingNumber: string;
	locationId: number;
	purposeId: number;
	partySize: number;
	status: ReservationStatus;
	date: string;
	checkedInAt: Date | null;
	slotIds: string[];
	cards: { cardId: string; status: CardStatus }[];
}

const STATUS_JA: Record<ReservationStatus, string> = {
	active: '有効',
	cancelled: '取消済み',
	no_show: '未来庁',
	completed: '完了'
};

/**
 * Locks an active reservation and its persons' cards. Lock order everywhere: reservation, then
 * cards (id order), then slot rows (id order), then holds; check-in follows the same order, so
 * no two use cases can deadlock each other (a retry covers anything unforeseen).
 */
export async function lockActiveReservation(db: Db, t: Transaction, id: string): Promise<LockedReservation> {
	const [r] = await db.sequelize.query<{
		id: string;
		booking_number: string;
		location_id: number;
		purpose_id: number;
		party_size: number;
		status: ReservationStatus;
		date: string;
		checked_in_at: Date | null;
	}>(`SELECT id, booking_number, location_id, purpose_id, party_size, status, date, checked_in_at FROM reservations WHERE id = :id FOR UPDATE`, {
		replacements: { id },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
	if (r.status !== 'active') {
		throw new AppError('conflict', `この予約は${STATUS_JA[r.status]}のため変更できません。`, { extra: { status: r.status } });
	}
	if (r.checked_in_at) throw new AppError('conflict', '来庁済みの予約は変更・取消できません。');
	const slots = await db.sequelize.query<{ slot_id: string }>(`SELECT slot_id FROM reservation_slots WHERE reservation_id = :id ORDER BY slot_id`, {
		replacements: { id },
		type: QueryTypes.SELECT,
		transaction: t
	});
	const cards = await db.sequelize.query<{ id: string; status: CardStatus }>(
		`SELECT c.id, c.status FROM card_records c JOIN reservation_persons p ON p.card_record_id = c.id
		  WHERE p.reservation_id = :id AND p.active ORDER BY c.id FOR UPDATE OF c`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	return {
		id: String(r.id),
		bookingNumber: r.booking_number,
		locationId: r.location_id,
		purposeId: r.purpose_id,
		partySize: r.party_size,
		status: r.status,
		date: r.date,
		checkedInAt: r.checked_in_at,
		slotIds: slots.map((s) => String(s.slot_id)),
		cards: cards.map((c) => ({ cardId: String(c.id), status: c.status }))
	};
}
