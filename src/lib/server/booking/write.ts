/**
 * The rows one booking writes, in the caller's transaction: the reservation, its slots and
 * persons, the cards' move to 予約済 with a history row each (R-S08), the audit row (R-O03)
 * and the outbox row that mail will read (nothing personal in it).
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { CardStatusChange } from '../context.ts';
import { audit } from '../audit.ts';
import { mapDoubleBooking, type Audience, type PersonCard } from './persons.ts';
import type { SlotRow } from './slot-rows.ts';
import type { ReservationSource } from '../../../../db/models/reservation.ts';

export interface Actor {
	type: 'staff' | 'citizen' | 'system';
	/** staff login; null for citizens */
	id: string | null;
	ip?: string | null;
}

/**
 * 予約番号: 8 digits, easy to read out on the phone. The sequence value goes through an affine
 * map, a bijection on 0..10^8−1 (48271 is coprime to 10^8), so numbers are unique yet do not
 * reveal how many bookings the city has.
 */
export function formatBookingNumber(seq: bigint): string {
	const n = (seq * 48_271n + 20_261_124n) % 100_000_000n;
	const s = n.toString().padStart(8, '0');
	return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export interface NewReservation {
	locationId: number;
	purposeId: number;
	slots: readonly SlotRow[];
	cards: readonly PersonCard[];
	email: string | null;
	source: ReservationSource;
	actor: Actor;
	audience: Audience;
	overrideReason: string | null;
	/** extra audit detail, ids and reasons only */
	auditDetail?: Record<string, unknown>;
}

export interface Written {
	id: string;
	bookingNumber: string;
	cardChanges: CardStatusChange[];
}

export async function writeReservation(db: Db, t: Transaction, r: NewReservation): Promise<Written> {
	const q = db.sequelize;
	const [{ n }] = await q.query<{ n: string }>(`SELECT nextval('reservation_number_seq') AS n`, { type: QueryTypes.SELECT, transaction: t });
	const bookingNumber = formatBookingNumber(BigInt(n));
	const first = r.slots[0];
	const last = r.slots[r.slots.length - 1];
	const [{ id }] = await q.query<{ id: string }>(
		`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, email, source, created_by, override_reason)
		 VALUES (:bookingNumber, :locationId, :purposeId, :partySize, :date, :startsAt, :endsAt, :email, :source, :createdBy, :overrideReason)
		 RETURNING id`,
		{
			replacements: {
				bookingNumber,
				locationId: r.locationId,
				purposeId: r.purposeId,
				partySize: r.cards.length,
				date: first.date,
				startsAt: first.startsAt.toISOString(),
				endsAt: last.endsAt.toISOString(),
				email: r.email,
				source: r.source,
				createdBy: r.actor.id,
				overrideReason: r.overrideReason
			},
			type: QueryTypes.SELECT,
			transaction: t
		}
	);
	const reservationId = String(id);
	await q.query(`INSERT INTO reservation_slots (reservation_id, slot_id) SELECT :id, unnest(ARRAY[:slotIds]::bigint[])`, {
		replacements: { id: reservationId, slotIds: r.slots.map((s) => s.id) },
		transaction: t
	});
	// Inserted in card id order, the order every booking locks cards in.
	const ordered = [...r.cards].sort((a, b) => (BigInt(a.cardId) < BigInt(b.cardId) ? -1 : 1));
	try {
		for (const c of ordered) {
			await q.query(`INSERT INTO reservation_persons (reservation_id, card_record_id, position) VALUES (:id, :cardId, :position)`, {
				replacements: { id: reservationId, cardId: c.cardId, position: c.index + 1 },
				transaction: t
			});
		}
	} catch (e) {
		throw mapDoubleBooking(e, r.cards, r.audience);
	}
	const cardChanges = await setCardStatus(db, t, r.cards, 'reserved', r.actor, reservationId, { locationId: r.locationId, date: first.date });
	await audit(
		{ db },
		{
			actorType: r.actor.type,
			actorId: r.actor.id,
			action: 'reservation.created',
			targetType: 'reservation',
			targetId: reservationId,
			detail: {
				source: r.source,
				slotIds: r.slots.map((s) => s.id),
				partySize: r.cards.length,
				purposeId: r.purposeId,
				...(r.overrideReason ? { override: true, reason: r.overrideReason } : {}),
				...r.auditDetail
			},
			ip: r.actor.ip
		},
		t
	);
	await outbox(db, t, 'reservation.created', { reservationId });
	return { id: reservationId, bookingNumber, cardChanges };
}

/** Moves cards to `to`, one history row each (R-S08); returns the changes to publish after commit. */
export async function setCardStatus(
	db: Db,
	t: Transaction,
	cards: readonly { cardId: string; status: string }[],
	to: string,
	actor: Actor,
	reservationId: string,
	where: { locationId: number; date: string },
	note: string | null = null
): Promise<CardStatusChange[]> {
	const changing = cards.filter((c) => c.status !== to);
	if (changing.length === 0) return [];
	await db.sequelize.query(`UPDATE card_records SET status = :to, updated_at = now() WHERE id IN (:ids)`, {
		replacements: { to, ids: changing.map((c) => c.cardId) },
		transaction: t
	});
	await db.models.CardStatusHistory.bulkCreate(
		changing.map((c) => ({
			cardRecordId: c.cardId,
			fromStatus: c.status as never,
			toStatus: to as never,
			actorType: actor.type,
			actorId: actor.id,
			reservationId,
			note
		})),
		{ transaction: t }
	);
	return changing.map((c) => ({ cardId: c.cardId, locationId: where.locationId, date: where.date, from: c.status, to }));
}

export async function outbox(db: Db, t: Transaction, topic: string, payload: Record<string, unknown>): Promise<void> {
	await db.models.Outbox.create({ topic, payload }, { transaction: t });
}
