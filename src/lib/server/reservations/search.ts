import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation, servedFilter } from '../auth/scope.ts';
import { classifySearch } from '../../domain/counter.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import type { ReservationStatus } from '../../../../db/models/reservation.ts';
import { tokyoIso } from '../slots.ts';
import { audit } from '../audit.ts';

export interface ReservationSearch {
	q?: string;
	locationId?: number;
	date?: string;
	status?: ReservationStatus;
	limit: number;
}

export interface FoundReservation {
	id: string;
	bookingNumber: string;
	status: ReservationStatus;
	locationId: number;
	locationNameJa: string;
	date: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
	checkedInAt: string | null;
	persons: { cardId: string; nameKana: string; noticeId: string; status: CardStatus }[];
}

interface Row {
	id: string;
	booking_number: string;
	status: ReservationStatus;
	location_id: number;
	name_ja: string;
	date: string;
	starts_at: Date;
	ends_at: Date;
	party_size: number;
	checked_in_at: Date | null;
	persons: { cardId: string; nameKana: string; noticeId: string; status: CardStatus }[];
}

/**
 * R-S04 R-S09 R-S15: find bookings by booking number, QR code, notice ID or name kana (hiragana,
 * katakana, with or without spaces), optionally within a location, a day and a status. Upcoming
 * and active bookings first. An empty term needs a day or a location (the day's list).
 */
export async function searchReservations(ctx: AppContext, principal: Principal | null, query: ReservationSearch): Promise<{ items: FoundReservation[]; truncated: boolean }> {
	const p = requireRole(principal, 'viewer');
	// R-S01: a location asked for must be served; without one, only served locations are searched
	if (query.locationId) await requireLocation(ctx, p, query.locationId);
	const served = servedFilter(p);
	const term = classifySearch(query.q ?? '');
	const where: string[] = [];
	const rep: Record<string, unknown> = { limit: query.limit + 1 };
	const personMatch = (cond: string) =>
		`r.id IN (SELECT p.reservation_id FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id WHERE ${cond})`;
	switch (term.kind) {
		case 'empty':
			if (!query.date && !query.locationId) return { items: [], truncated: false };
			break;
		case 'checkinCode':
			where.push('r.checkin_code = :code');
			rep.code = term.code;
			break;
		case 'number':
			where.push(`(r.booking_number = :bn OR ${personMatch("replace(c.notice_id, '-', '') = :nid")})`);
			Object.assign(rep, { bn: term.bookingNumber, nid: term.noticeId });
			break;
		case 'noticeId':
			where.push(personMatch("replace(c.notice_id, '-', '') LIKE :nid"));
			rep.nid = `${term.noticeId.replace(/[\\%_]/g, '')}%`;
			break;
		case 'kana': {
			// LIKE wildcards typed by a user are text, not patterns: dropped, and nothing left finds nothing.
			const kana = term.kana.replace(/[\\%_]/g, '');
			if (!kana) return { items: [], truncated: false };
			where.push(personMatch("translate(c.name_kana, ' 　', '') LIKE :kana"));
			rep.kana = `%${kana}%`;
			break;
		}
	}
	if (query.locationId) {
		where.push('r.location_id = :locationId');
		rep.locationId = query.locationId;
	}
	if (served) {
		where.push('r.location_id IN (:served)');
		rep.served = served;
	}
	if (query.date) {
		where.push('r.date = :date');
		rep.date = query.date;
	}
	if (query.status) {
		where.push('r.status = :status');
		rep.status = query.status;
	}
	rep.today = new Date(ctx.now().getTime() + 9 * 3600_000).toISOString().slice(0, 10);
	const rows = await ctx.db.sequelize.query<Row>(
		`SELECT r.id, r.booking_number, r.status, r.location_id, l.name_ja, r.date::text AS date, r.starts_at, r.ends_at, r.party_size, r.checked_in_at,
		        (SELECT coalesce(json_agg(json_build_object('cardId', c.id::text, 'nameKana', c.name_kana, 'noticeId', c.notice_id, 'status', c.status) ORDER BY p.position), '[]')
		           FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
		          WHERE p.reservation_id = r.id AND (p.active OR r.status = 'cancelled')) AS persons
		   FROM reservations r JOIN locations l ON l.id = r.location_id
		  ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
		  ORDER BY (r.status = 'active') DESC, (r.date >= :today) DESC,
		           CASE WHEN r.date >= :today THEN r.starts_at END ASC, r.starts_at DESC, r.id
		  LIMIT :limit`,
		{ replacements: rep, type: QueryTypes.SELECT }
	);
	const items = rows.slice(0, query.limit).map((r) => ({
		id: String(r.id),
		bookingNumber: r.booking_number,
		status: r.status,
		locationId: r.location_id,
		locationNameJa: r.name_ja,
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		partySize: r.party_size,
		checkedInAt: r.checked_in_at ? tokyoIso(new Date(r.checked_in_at)) : null,
		persons: r.persons
	}));
	// R-O04: a read of personal data is logged: the kind of term and the filters, never the term itself
	await audit(ctx, {
		actorType: 'staff',
		actorId: p.login,
		action: 'reservations.searched',
		targetType: 'reservation',
		detail: { term: term.kind, locationId: query.locationId ?? null, date: query.date ?? null, status: query.status ?? null, rows: items.length }
	});
	return { items, truncated: rows.length > query.limit };
}
