import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import type { ReservationStatus } from '../../../../db/models/reservation.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { AppError } from '../errors.ts';
import { requireRole } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import { audit } from '../audit/write.ts';

/** A staff note as shown at the counter (R-S14). Staff only: nothing citizen-facing reads person_notes. */
export interface NoteView {
	body: string;
	author: string;
	at: string;
}

export interface CounterPerson {
	cardId: string;
	position: number;
	nameKana: string;
	nameKanji: string;
	noticeId: string;
	birthDate: string;
	status: CardStatus;
	/** R-S03: where the card waits, and whether it must be sent to the issuing location first */
	storage: { locationId: number; nameJa: string; boxPosition: string };
	needsTransfer: boolean;
	/** R-S03: the card was sent (回送済) to this booking's location: who and when */
	transferSent: { at: string; by: string } | null;
	/** the note of the last status change (e.g. why 不備・再手続) */
	statusNote: string | null;
	/** when the card became 交付済 (for the undo window), ISO 8601 +09:00 */
	issuedAt: string | null;
	note: NoteView | null;
}

/** One booking as the counter and the phone clerk need it: where, when, who, and each card's place. */
export interface CounterReservation {
	id: string;
	bookingNumber: string;
	status: ReservationStatus;
	checkedInAt: string | null;
	location: { id: number; nameJa: string; nameEn: string };
	purpose: { id: number; nameJa: string; nameEn: string };
	date: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
	source: string;
	email: string | null;
	/** R-S04: the caller's number on a phone booking (staff pages only) */
	phone: string | null;
	persons: CounterPerson[];
}

interface Row {
	id: string;
	booking_number: string;
	status: ReservationStatus;
	checked_in_at: Date | null;
	location_id: number;
	l_name_ja: string;
	l_name_en: string;
	purpose_id: number;
	p_name_ja: string;
	p_name_en: string;
	date: string;
	starts_at: Date;
	ends_at: Date;
	party_size: number;
	source: string;
	email: string | null;
	phone: string | null;
}

interface PersonRow {
	card_id: string;
	position: number;
	name_kana: string;
	name_kanji: string;
	notice_id: string;
	birth_date: string;
	status: CardStatus;
	storage_location_id: number;
	s_name_ja: string;
	box_position: string;
	transfer_sent_at: Date | null;
	transfer_sent_by: string | null;
	transfer_sent_to: number | null;
	status_note: string | null;
	issued_at: Date | null;
	note_body: string | null;
	note_author: string | null;
	note_at: Date | null;
}

/** Reads one booking with its active persons (cancelled and completed visits: every person it had). Null when unknown. */
export async function counterReservation(db: Db, id: string, t?: Transaction): Promise<CounterReservation | null> {
	const [r] = await db.sequelize.query<Row>(
		`SELECT r.id, r.booking_number, r.status, r.checked_in_at, r.location_id, l.name_ja AS l_name_ja, l.name_en AS l_name_en,
		        r.purpose_id, pu.name_ja AS p_name_ja, pu.name_en AS p_name_en, r.date::text AS date, r.starts_at, r.ends_at,
		        r.party_size, r.source, r.email, r.phone
		   FROM reservations r JOIN locations l ON l.id = r.location_id JOIN purposes pu ON pu.id = r.purpose_id
		  WHERE r.id = :id`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	if (!r) return null;
	const persons = await db.sequelize.query<PersonRow>(
		`SELECT c.id AS card_id, p.position, c.name_kana, c.name_kanji, c.notice_id, c.birth_date::text AS birth_date, c.status,
		        c.storage_location_id, sl.name_ja AS s_name_ja, c.box_position,
		        c.transfer_sent_at, c.transfer_sent_by, c.transfer_sent_to,
		        (SELECT h.note FROM card_status_history h WHERE h.card_record_id = c.id ORDER BY h.id DESC LIMIT 1) AS status_note,
		        (SELECT h.at FROM card_status_history h WHERE h.card_record_id = c.id AND h.to_status = 'issued' ORDER BY h.id DESC LIMIT 1) AS issued_at,
		        n.body AS note_body, n.author AS note_author, n.created_at AS note_at
		   FROM reservation_persons p
		   JOIN card_records c ON c.id = p.card_record_id
		   JOIN locations sl ON sl.id = c.storage_location_id
		   LEFT JOIN LATERAL (SELECT body, author, created_at FROM person_notes WHERE card_record_id = c.id ORDER BY id DESC LIMIT 1) n ON true
		  WHERE p.reservation_id = :id AND (p.active OR :all)
		  ORDER BY p.position, c.id`,
		{ replacements: { id, all: r.status === 'cancelled' || r.status === 'completed' }, type: QueryTypes.SELECT, transaction: t }
	);
	return {
		id: String(r.id),
		bookingNumber: r.booking_number,
		status: r.status,
		checkedInAt: r.checked_in_at ? tokyoIso(new Date(r.checked_in_at)) : null,
		location: { id: r.location_id, nameJa: r.l_name_ja, nameEn: r.l_name_en },
		purpose: { id: r.purpose_id, nameJa: r.p_name_ja, nameEn: r.p_name_en },
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		partySize: r.party_size,
		source: r.source,
		email: r.email,
		phone: r.phone ?? null,
		persons: persons.map((p) => ({
			cardId: String(p.card_id),
			position: p.position,
			nameKana: p.name_kana,
			nameKanji: p.name_kanji,
			noticeId: p.notice_id,
			birthDate: p.birth_date,
			status: p.status,
			storage: { locationId: p.storage_location_id, nameJa: p.s_name_ja, boxPosition: p.box_position },
			needsTransfer: p.storage_location_id !== r.location_id && p.transfer_sent_to !== r.location_id,
			transferSent:
				p.storage_location_id !== r.location_id && p.transfer_sent_to === r.location_id && p.transfer_sent_at
					? { at: tokyoIso(new Date(p.transfer_sent_at)), by: p.transfer_sent_by ?? '' }
					: null,
			statusNote: p.status_note,
			issuedAt: p.issued_at ? tokyoIso(new Date(p.issued_at)) : null,
			note: p.note_body ? { body: p.note_body, author: p.note_author ?? '', at: tokyoIso(new Date(p.note_at!)) } : null
		}))
	};
}

/** The staff read of one booking (viewer and above). */
export async function readCounterReservation(
	ctx: { db: Db },
	principal: import('../auth/session.ts').Principal | null,
	id: string,
	opts: { ip?: string | null; via?: 'detail' | 'counter' } = {}
): Promise<CounterReservation> {
	const p = requireRole(principal, 'viewer');
	const r = await counterReservation(ctx.db, id);
	if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
	await requireLocation(ctx, p, r.location.id);
	// R-O03: opening one person's booking (booking page, counter) is logged: who, which booking, from where
	await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'reservation.viewed', targetType: 'reservation', targetId: r.id, detail: { via: opts.via ?? 'detail' }, ip: opts.ip });
	return r;
}
