import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import { audit } from '../audit/write.ts';
import type { ReservationSource, ReservationStatus } from '../../../../db/models/reservation.ts';

/** A reservation as staff see it (R-S04). Persons carry the notice ID staff read out, never names here. */
export interface ReservationView {
	id: string;
	bookingNumber: string;
	status: ReservationStatus;
	locationId: number;
	purposeId: number;
	partySize: number;
	date: string;
	startsAt: string;
	endsAt: string;
	slotIds: string[];
	source: ReservationSource;
	overrideReason: string | null;
	email: string | null;
	persons: { cardId: string; noticeId: string; position: number; active: boolean }[];
}

export async function reservationView(db: Db, id: string, t?: Transaction): Promise<ReservationView | null> {
	const [r] = await db.sequelize.query<{
		id: string;
		booking_number: string;
		status: ReservationStatus;
		location_id: number;
		purpose_id: number;
		party_size: number;
		date: string;
		starts_at: Date;
		ends_at: Date;
		source: ReservationSource;
		override_reason: string | null;
		email: string | null;
		slot_ids: string[] | null;
	}>(
		`SELECT r.*, (SELECT array_agg(slot_id ORDER BY slot_id) FROM reservation_slots s WHERE s.reservation_id = r.id) AS slot_ids
		   FROM reservations r WHERE r.id = :id`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	if (!r) return null;
	const persons = await db.sequelize.query<{ card_record_id: string; notice_id: string; position: number; active: boolean }>(
		`SELECT p.card_record_id, c.notice_id, p.position, p.active FROM reservation_persons p
		   JOIN card_records c ON c.id = p.card_record_id WHERE p.reservation_id = :id ORDER BY p.position`,
		{ replacements: { id }, type: QueryTypes.SELECT, transaction: t }
	);
	return {
		id: String(r.id),
		bookingNumber: r.booking_number,
		status: r.status,
		locationId: r.location_id,
		purposeId: r.purpose_id,
		partySize: r.party_size,
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		slotIds: (r.slot_ids ?? []).map(String),
		source: r.source,
		overrideReason: r.override_reason,
		email: r.email,
		persons: persons.map((p) => ({ cardId: String(p.card_record_id), noticeId: p.notice_id, position: p.position, active: p.active }))
	};
}

/** `GET /api/v1/staff/reservations/{id}`: viewer and above, a viewer or clerk only at a location they serve (R-S01). */
export async function staffReservationView(ctx: { db: Db }, principal: Principal | null, id: string, opts: { ip?: string | null } = {}): Promise<ReservationView> {
	const p = requireRole(principal, 'viewer');
	const r = await reservationView(ctx.db, id);
	if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
	await requireLocation(ctx, p, r.locationId);
	// R-O03: reading one person's booking is logged (who, which booking; nothing personal)
	await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'reservation.viewed', targetType: 'reservation', targetId: r.id, detail: { via: 'api' }, ip: opts.ip });
	return r;
}
