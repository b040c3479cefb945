/**
 * R-S09: search card records and their reservations: status, visit date range, issuing location,
 * purpose, storage location, name kana prefix, notice ID prefix; paginated and sortable. One SQL
 * statement for the page and one for the count; the indexes of migration 20261125100000 keep
 * each under 50 ms on 300,000 cards (tests/bench/search.ts).
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation, servedFilter } from '../auth/scope.ts';
import { audit } from '../audit/write.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import { kanaSearchPrefix, normalizeNoticeId } from '../../domain/cards/fields.ts';

export const CARD_SORTS = ['id', 'noticeId', 'nameKana', 'birthDate', 'status', 'storage', 'visitDate'] as const;
export type CardSort = (typeof CARD_SORTS)[number];

export interface CardFilter {
	status?: CardStatus;
	/** notice ID prefix or name kana part (the original API's one box) */
	q?: string;
	noticeId?: string;
	kana?: string;
	storageLocationId?: number;
	/** R-S01: only cards stored at one of these (set by the use case from the principal, never from a request) */
	servedStorageIds?: number[];
	/** the active reservation's issuing location, purpose and visit date range */
	locationId?: number;
	purposeId?: number;
	from?: string;
	to?: string;
}

export interface CardQuery extends CardFilter {
	limit: number;
	offset: number;
	sort?: CardSort;
	dir?: 'asc' | 'desc';
}

/** Sort keys; notice ID and kana sort in the "C" collation, which their indexes are built in. */
const SORT_SQL: Record<CardSort, string> = {
	id: 'c.id',
	noticeId: 'c.notice_id COLLATE "C"',
	nameKana: 'c.name_kana COLLATE "C"',
	birthDate: 'c.birth_date',
	status: 'c.status',
	storage: 'c.storage_location_id, c.box_position',
	visitDate: 'r.starts_at'
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * WHERE clause and bind values. Every text filter is a prefix in the "C" collation, so it is an
 * index range scan. `needsReservation`: a visit filter is set, so cards join their active visit.
 */
export function cardWhere(f: CardFilter): { sql: string; bind: unknown[]; needsReservation: boolean } {
	const parts: string[] = [];
	const bind: unknown[] = [];
	const add = (sql: string, v: unknown) => {
		bind.push(v);
		parts.push(sql.replace('?', `$${bind.length}`));
	};
	if (f.status) add('c.status = ?', f.status);
	if (f.q) {
		// The one search box: a notice ID prefix (letters and digits) or a name kana prefix (kana) — never both,
		// since no text is both; hyphens, hiragana and half-width kana are accepted.
		const notice = normalizeNoticeId(f.q);
		const kana = kanaSearchPrefix(f.q);
		if (notice) add('c.notice_id COLLATE "C" LIKE ?', `${escapeLike(notice)}%`);
		else if (kana) add('c.name_kana COLLATE "C" LIKE ?', `${escapeLike(kana)}%`);
		else parts.push('false');
	}
	// A filter that cannot be a notice ID or kana matches nothing (rather than being sent as typed).
	if (f.noticeId) {
		const n = normalizeNoticeId(f.noticeId);
		if (n) add('c.notice_id COLLATE "C" LIKE ?', `${escapeLike(n)}%`);
		else parts.push('false');
	}
	if (f.kana) {
		const k = kanaSearchPrefix(f.kana);
		if (k) add('c.name_kana COLLATE "C" LIKE ?', `${escapeLike(k)}%`);
		else parts.push('false');
	}
	if (f.storageLocationId) add('c.storage_location_id = ?', f.storageLocationId);
	if (f.servedStorageIds) add('c.storage_location_id = ANY(?::int[])', f.servedStorageIds);
	const needsReservation = Boolean(f.locationId || f.purposeId || f.from || f.to);
	// Cancelled visits have no active persons; saying so lets the planner use the partial index on (location, date).
	if (needsReservation) parts.push(`r.status <> 'cancelled'`);
	if (f.locationId) add('r.location_id = ?', f.locationId);
	if (f.purposeId) add('r.purpose_id = ?', f.purposeId);
	if (f.from) add('r.date >= ?::date', f.from);
	if (f.to) add('r.date <= ?::date', f.to);
	return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', bind, needsReservation };
}

export interface CardRowView {
	id: string;
	noticeId: string;
	birthDate: string;
	nameKanji: string;
	nameKana: string;
	status: CardStatus;
	storageLocationId: number;
	boxPosition: string;
	reservation: { id: string; bookingNumber: string; date: string; startsAt: string; locationId: number; purposeId: number } | null;
}

interface Raw {
	id: string;
	notice_id: string;
	birth_date: string;
	name_kanji: string;
	name_kana: string;
	status: CardStatus;
	storage_location_id: number;
	box_position: string;
	reservation_id: string | null;
	booking_number: string | null;
	visit_date: string | null;
	starts_at: Date | null;
	location_id: number | null;
	purpose_id: number | null;
}

const view = (r: Raw): CardRowView => ({
	id: r.id,
	noticeId: r.notice_id,
	birthDate: r.birth_date,
	nameKanji: r.name_kanji,
	nameKana: r.name_kana,
	status: r.status,
	storageLocationId: r.storage_location_id,
	boxPosition: r.box_position,
	reservation: r.reservation_id
		? { id: r.reservation_id, bookingNumber: r.booking_number!, date: r.visit_date!, startsAt: new Date(r.starts_at!).toISOString(), locationId: r.location_id!, purposeId: r.purpose_id! }
		: null
});

const COLUMNS = `c.id::text, c.notice_id, c.birth_date, c.name_kanji, c.name_kana, c.status, c.storage_location_id, c.box_position,
	r.id::text AS reservation_id, r.booking_number, r.date AS visit_date, r.starts_at, r.location_id, r.purpose_id`;
const VISIT_JOIN = 'JOIN reservation_persons p ON p.card_record_id = c.id AND p.active JOIN reservations r ON r.id = p.reservation_id';
const LEFT_VISIT_JOIN = 'LEFT JOIN reservation_persons p ON p.card_record_id = c.id AND p.active LEFT JOIN reservations r ON r.id = p.reservation_id';

/**
 * The rows of one page (no role check: callers check). Without a visit filter or sort, the page
 * is chosen from card_records alone (an index walk that stops at the page) and only its rows
 * look up their visit. Exported for the CSV export's batches.
 */
export async function cardPage(ctx: AppContext, q: CardQuery): Promise<CardRowView[]> {
	const w = cardWhere(q);
	const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
	const sort = q.sort ?? 'id';
	// Notice IDs and ids grow together (cards are imported in order), so walking the primary key to
	// find a notice or kana prefix may read most of the table; "+ 0" makes the planner take the
	// matching ids from the prefix index (which carries the id) and sort only those.
	const prefixFilter = Boolean(q.q || q.noticeId || q.kana);
	const idOrder = sort === 'id' && prefixFilter ? `c.id + 0 ${dir}` : `c.id ${dir}`;
	const order = (sort === 'id' ? [] : SORT_SQL[sort].split(', '))
		.map((col) => `${col} ${dir}${sort === 'visitDate' ? ' NULLS LAST' : ''}`)
		.concat(idOrder)
		.join(', ');
	const page = `LIMIT ${Math.trunc(q.limit)} OFFSET ${Math.trunc(q.offset)}`;
	// Without a visit filter or sort, the page's ids come first from card_records alone (often from an
	// index without touching the table), then only those rows are read and look up their visit.
	const sql = w.needsReservation
		? `SELECT ${COLUMNS} FROM card_records c ${VISIT_JOIN} ${w.sql} ORDER BY ${order} ${page}`
		: sort === 'visitDate'
			? `SELECT ${COLUMNS} FROM card_records c ${LEFT_VISIT_JOIN} ${w.sql} ORDER BY ${order} ${page}`
			: `SELECT ${COLUMNS} FROM (SELECT c.id FROM card_records c ${w.sql} ORDER BY ${order} ${page}) k
			   JOIN card_records c ON c.id = k.id ${LEFT_VISIT_JOIN} ORDER BY ${order}`;
	const rows = await ctx.db.sequelize.query<Raw>(sql, { bind: w.bind, type: QueryTypes.SELECT });
	return rows.map(view);
}

export async function cardCount(ctx: AppContext, f: CardFilter): Promise<number> {
	const w = cardWhere(f);
	const join = w.needsReservation ? VISIT_JOIN : '';
	const [{ n }] = await ctx.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM card_records c ${join} ${w.sql}`, { bind: w.bind, type: QueryTypes.SELECT });
	return n;
}

/** R-S09: one page of cards with their visit, and the total count. */
/**
 * R-S01: a viewer or clerk limited to some locations sees only the cards stored there; asking for
 * another storage location is refused (403) rather than answered empty.
 */
export async function scopeCardQuery<Q extends CardFilter>(ctx: AppContext, p: Principal, query: Q): Promise<Q> {
	if (query.storageLocationId) await requireLocation(ctx, p, query.storageLocationId);
	const served = servedFilter(p);
	return served === null ? { ...query, servedStorageIds: undefined } : { ...query, servedStorageIds: served };
}

export async function searchCards(ctx: AppContext, principal: Principal | null, raw: CardQuery) {
	const p = requireRole(principal, 'viewer');
	const query = await scopeCardQuery(ctx, p, raw);
	const [items, total] = await Promise.all([cardPage(ctx, query), cardCount(ctx, query)]);
	await auditCardRead(ctx, p, { filters: filtersUsed(raw), rows: items.length, total });
	return { total, items };
}

/**
 * R-O04: reads of personal data are logged like changes — who searched, with which kinds of filter
 * and how many cards came back; never the typed notice ID or name, nor the rows.
 */
function auditCardRead(ctx: AppContext, p: Principal, detail: Record<string, unknown>) {
	return audit(ctx, { actorType: 'staff', actorId: p.login, action: 'cards.searched', targetType: 'card', detail });
}

const SAFE_FILTERS = new Set(['status', 'storageLocationId', 'locationId', 'purposeId', 'from', 'to']);
/** The filters a search used: values of the safe ones (statuses, locations, dates), only the names of the others. */
function filtersUsed(q: CardFilter): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(q)) {
		if (v === undefined || v === null || v === '' || k === 'servedStorageIds' || k === 'limit' || k === 'offset' || k === 'sort' || k === 'dir') continue;
		out[k] = SAFE_FILTERS.has(k) ? v : true;
	}
	return out;
}

/** `GET /api/v1/staff/cards` (DESIGN contract): the same search, each row the contract's six fields. */
export async function listCards(ctx: AppContext, principal: Principal | null, query: CardQuery) {
	const { total, items } = await searchCards(ctx, principal, query);
	return {
		total,
		items: items.map((c) => ({ id: c.id, noticeId: c.noticeId, birthDate: c.birthDate, nameKana: c.nameKana, status: c.status, storageLocationId: c.storageLocationId }))
	};
}

/** Cards whose notice ID is one of `noticeIds` (pasted by staff, normalised); a notice ID may match several cards. */
export async function cardsByNoticeIds(ctx: AppContext, principal: Principal | null, raw: readonly string[]) {
	const p = requireRole(principal, 'viewer');
	const served = servedFilter(p);
	const ids: string[] = [];
	const invalid: string[] = [];
	for (const r of raw) {
		if (r.trim() === '') continue;
		const n = normalizeNoticeId(r);
		if (n) ids.push(n);
		else invalid.push(r.trim().slice(0, 30));
	}
	const unique = [...new Set(ids)].slice(0, 5000);
	const rows = unique.length
		? await ctx.db.sequelize.query<Raw>(
				`SELECT ${COLUMNS} FROM card_records c ${LEFT_VISIT_JOIN}
				  WHERE c.notice_id = ANY($1::varchar[]) AND ($2::int[] IS NULL OR c.storage_location_id = ANY($2::int[]))
				  ORDER BY c.notice_id, c.birth_date`,
				{ bind: [unique, served], type: QueryTypes.SELECT }
			)
		: [];
	const found = new Set(rows.map((r) => r.notice_id));
	await auditCardRead(ctx, p, { filters: { noticeIds: unique.length }, rows: rows.length });
	return { items: rows.map(view), notFound: unique.filter((n) => !found.has(n)), invalid };
}
