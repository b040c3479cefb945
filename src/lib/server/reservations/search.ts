import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation, servedFilter } from '../auth/scope.ts';
import { classifySearch } from '../../domain/counter.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import type { ReservationStatus } from '../../../../db/models/reservation.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { audit } from '../audit/write.ts';

export interface ReservationSearch {
	q?: string;
	locationId?: number;
	date?: string;
	/** R-S09: a range of visit dates (either end may be left open) */
	from?: string;
	to?: string;
	status?: ReservationStatus;
	limit: number;
	/** R-S09: rows to skip (paging beyond the first page) */
	offset?: number;
}

export interface ReservationSearchResult {
	items: FoundReservation[];
	truncated: boolean;
	/** every matching booking, whatever the page */
	total: number;
	limit: number;
	offset: number;
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

/** The WHERE of a search and its replacements, or null when the search can find nothing. */
function searchWhere(ctx: AppContext, p: Principal, query: Omit<ReservationSearch, 'limit'>): { where: string[]; rep: Record<string, unknown>; term: ReturnType<typeof classifySearch> } | null {
	const served = servedFilter(p);
	const term = classifySearch(query.q ?? '');
	const where: string[] = [];
	const rep: Record<string, unknown> = {};
	const personMatch = (cond: string) =>
		`r.id IN (SELECT p.reservation_id FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id WHERE ${cond})`;
	switch (term.kind) {
		case 'empty':
			// R-S09: a search by filters alone (a status, a range, a day or a location) lists them
			if (!query.date && !query.locationId && !query.from && !query.to && !query.status) return null;
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
			if (!kana) return null;
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
	if (query.from) {
		where.push('r.date >= :from');
		rep.from = query.from;
	}
	if (query.to) {
		where.push('r.date <= :to');
		rep.to = query.to;
	}
	if (query.status) {
		where.push('r.status = :status');
		rep.status = query.status;
	}
	rep.today = new Date(ctx.now().getTime() + 9 * 3600_000).toISOString().slice(0, 10);
	return { where, rep, term };
}

const ORDER = `ORDER BY (r.status = 'active') DESC, (r.date >= :today) DESC,
		           CASE WHEN r.date >= :today THEN r.starts_at END ASC, r.starts_at DESC, r.id`;

/** R-S09: reads a page of matching bookings (or all of them for an export), in the order staff see them. */
export async function selectReservations(
	ctx: AppContext,
	principal: Principal,
	query: Omit<ReservationSearch, 'limit'> & { limit: number }
): Promise<{ rows: FoundReservation[]; total: number; term: ReturnType<typeof classifySearch>['kind'] }> {
	// R-S01: a location asked for must be served; without one, only served locations are searched
	if (query.locationId) await requireLocation(ctx, principal, query.locationId);
	const w = searchWhere(ctx, principal, query);
	if (!w) return { rows: [], total: 0, term: classifySearch(query.q ?? '').kind };
	const where = w.where.length ? `WHERE ${w.where.join(' AND ')}` : '';
	const [{ n }] = await ctx.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM reservations r ${where}`, { replacements: w.rep, type: QueryTypes.SELECT });
	const rows = await ctx.db.sequelize.query<Row>(
		`SELECT r.id, r.booking_number, r.status, r.location_id, l.name_ja, r.date::text AS date, r.starts_at, r.ends_at, r.party_size, r.checked_in_at,
		        (SELECT coalesce(json_agg(json_build_object('cardId', c.id::text, 'nameKana', c.name_kana, 'noticeId', c.notice_id, 'status', c.status) ORDER BY p.position), '[]')
		           FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
		          WHERE p.reservation_id = r.id AND (p.active OR r.status IN ('cancelled', 'completed'))) AS persons
		   FROM reservations r JOIN locations l ON l.id = r.location_id
		  ${where}
		  ${ORDER}
		  LIMIT :limit OFFSET :offset`,
		{ replacements: { ...w.rep, limit: query.limit, offset: query.offset ?? 0 }, type: QueryTypes.SELECT }
	);
	return {
		total: n,
		term: w.term.kind,
		rows: rows.map((r) => ({
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
		}))
	};
}

/**
 * R-S04 R-S09 R-S15: find bookings by booking number, QR code, notice ID or name kana (hiragana,
 * katakana, with or without spaces), optionally within a location, a day or a range of days and a
 * status. Upcoming and active bookings first. An empty term needs some filter (a status alone
 * lists every booking in it). Pages with limit/offset; `total` counts every match.
 */
export async function searchReservations(ctx: AppContext, principal: Principal | null, query: ReservationSearch): Promise<ReservationSearchResult> {
	const p = requireRole(principal, 'viewer');
	const offset = query.offset ?? 0;
	const { rows: items, total, term } = await selectReservations(ctx, p, { ...query, offset });
	// R-O04: a read of personal data is logged: the kind of term and the filters, never the term itself
	await audit(ctx, {
		actorType: 'staff',
		actorId: p.login,
		action: 'reservations.searched',
		targetType: 'reservation',
		detail: { term, locationId: query.locationId ?? null, date: query.date ?? null, from: query.from ?? null, to: query.to ?? null, status: query.status ?? null, offset, rows: items.length, total }
	});
	return { items, truncated: offset + items.length < total, total, limit: query.limit, offset };
}
