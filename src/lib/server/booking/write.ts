/**
 * The rows one booking writes, in the caller's transaction: the reservation, its slots and
 * persons, the cards' move to 予約済 with a history row each (R-S08), the audit row (R-O03)
 * and the outbox row that mail will read (nothing personal in it). Related rows go in one
 * statement each (data-modifying CTEs): every round trip inside a booking is time the
 * transaction holds its locks.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { CardStatusChange } from '../context.ts';
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
 * reveal how many bookings the city has. The SQL below computes the same.
 */
const MULTIPLIER = 48_271n;
const OFFSET = 20_261_124n;
export function formatBookingNumber(seq: bigint): string {
	const n = (seq * MULTIPLIER + OFFSET) % 100_000_000n;
	const s = n.toString().padStart(8, '0');
	return `${s.slice(0, 4)}-${s.slice(4)}`;
}
/** The same as SQL: next_booking_number() (db/migrations/20261126000000-booking-functions.ts). */
const BOOKING_NUMBER_SQL = 'next_booking_number()';

export interface NewReservation {
	locationId: number;
	purposeId: number;
	slots: readonly SlotRow[];
	cards: readonly PersonCard[];
	email: string | null;
	/** the language of the mails (R-C01) */
	lang?: 'ja' | 'en';
	source: ReservationSource;
	actor: Actor;
	audience: Audience;
}

export interface Written {
	id: string;
	bookingNumber: string;
	cardChanges: CardStatusChange[];
}

/**
 * The reservation, its slots and persons (one statement), the cards' move to 予約済 with
 * history (one statement). Written before the slot rows are locked (see staff-book.ts).
 */
export async function insertReservation(db: Db, t: Transaction, r: NewReservation): Promise<Written> {
	const first = r.slots[0];
	const last = r.slots[r.slots.length - 1];
	// Persons in card id order (the order cards are locked in). The partial unique index checks
	// each row: a card already active elsewhere fails here, whatever the race.
	const ordered = [...r.cards].sort((a, b) => (BigInt(a.cardId) < BigInt(b.cardId) ? -1 : 1));
	let row: { id: string; booking_number: string };
	try {
		[row] = await db.sequelize.query<{ id: string; booking_number: string }>(
			`WITH r AS (
			   INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, email, lang, source, created_by)
			   VALUES (${BOOKING_NUMBER_SQL}, :locationId, :purposeId, :partySize, :date, :startsAt, :endsAt, :email, :lang, :source, :createdBy)
			   RETURNING id, booking_number),
			 s AS (INSERT INTO reservation_slots (reservation_id, slot_id) SELECT r.id, unnest(ARRAY[:slotIds]::bigint[]) FROM r),
			 p AS (INSERT INTO reservation_persons (reservation_id, card_record_id, position)
			       SELECT r.id, unnest(ARRAY[:cardIds]::bigint[]), unnest(ARRAY[:positions]::smallint[]) FROM r)
			 SELECT id, booking_number FROM r`,
			{
				replacements: {
					locationId: r.locationId,
					purposeId: r.purposeId,
					partySize: r.cards.length,
					date: first.date,
					startsAt: first.startsAt.toISOString(),
					endsAt: last.endsAt.toISOString(),
					email: r.email,
					lang: r.lang ?? 'ja',
					source: r.source,
					createdBy: r.actor.id,
					slotIds: r.slots.map((s) => s.id),
					cardIds: ordered.map((c) => c.cardId),
					positions: ordered.map((c) => c.index + 1)
				},
				type: QueryTypes.SELECT,
				transaction: t
			}
		);
	} catch (e) {
		throw mapDoubleBooking(e, r.cards, r.audience);
	}
	const id = String(row.id);
	const cardChanges = await setCardStatus(db, t, r.cards, 'reserved', r.actor, id, { locationId: r.locationId, date: first.date });
	return { id, bookingNumber: row.booking_number, cardChanges };
}

/** The audit row (R-O03) and the outbox row of a new reservation, in one statement; `detail` holds ids and reasons only. */
export async function recordCreated(
	db: Db,
	t: Transaction,
	r: Pick<NewReservation, 'actor' | 'source' | 'slots' | 'cards' | 'purposeId'>,
	reservationId: string,
	detail: Record<string, unknown> = {}
): Promise<void> {
	const full = { source: r.source, slotIds: r.slots.map((s) => s.id), partySize: r.cards.length, purposeId: r.purposeId, ...detail };
	await db.sequelize.query(
		`WITH a AS (INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail, ip)
		            VALUES (:actorType, :actorId, 'reservation.created', 'reservation', :id, CAST(:detail AS jsonb), :ip))
		 INSERT INTO outbox (topic, payload) VALUES ('reservation.created', CAST(:payload AS jsonb))`,
		{
			replacements: {
				actorType: r.actor.type,
				actorId: r.actor.id,
				id: reservationId,
				detail: JSON.stringify(full),
				ip: r.actor.ip ?? null,
				payload: JSON.stringify({ reservationId })
			},
			transaction: t
		}
	);
}

/** Moves cards to `to` with one history row each (R-S08), in one statement; returns the changes to publish after commit. */
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
	await db.sequelize.query(
		`WITH u AS (UPDATE card_records SET status = :to, updated_at = now() WHERE id IN (:ids))
		 INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, reservation_id, note)
		 SELECT unnest(ARRAY[:ids]::bigint[]), unnest(ARRAY[:froms]::varchar[]), :to, :actorType, :actorId, :reservationId, :note`,
		{
			replacements: {
				to,
				ids: changing.map((c) => c.cardId),
				froms: changing.map((c) => c.status),
				actorType: actor.type,
				actorId: actor.id,
				reservationId,
				note
			},
			transaction: t
		}
	);
	return changing.map((c) => ({ cardId: c.cardId, locationId: where.locationId, date: where.date, from: c.status, to }));
}

export async function outbox(db: Db, t: Transaction, topic: string, payload: Record<string, unknown>): Promise<void> {
	await db.models.Outbox.create({ topic, payload }, { transaction: t });
}
