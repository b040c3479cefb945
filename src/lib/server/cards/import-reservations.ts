/**
 * R-S16: reservations taken before go-live, imported in bulk. Same approach as the card import:
 * the file streams in, every row is checked, all errors come back with their line numbers and
 * nothing is written; otherwise one transaction books every visit. Each visit is checked against
 * its slot's capacity (counting the other rows of the file) and each card against the
 * one-booking-per-card rule (R-C12). Rows over capacity are reported; a supervisor (or admin) may
 * import them anyway with a reason, kept on each such reservation and in the audit row.
 * No mail is sent: these citizens already have their appointment.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext, CardStatusChange } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { servedFilter } from '../auth/scope.ts';
import { hasRole } from '../../domain/roles.ts';
import { CARD_STATUS_LABELS, type CardStatus } from '../../domain/card-status.ts';
import { cardKey } from '../../domain/cards/import-row.ts';
import { mapReservationHeader, validateReservationRow, type ReservationRow } from '../../domain/cards/reservation-row.ts';
import { inTransaction } from '../tx.ts';
import { datesOf, lockSlots, runFrom, type SlotRow } from '../booking/slot-rows.ts';
import { BOOKABLE_STATUSES, type PersonCard } from '../booking/persons.ts';
import { insertReservation } from '../booking/write.ts';
import { openCsv, type EncodingChoice } from './csv-input.ts';
import { MAX_REPORTED_ERRORS, unreadableCell, type ImportError } from './import.ts';
import { LISTING_ORDER } from '../scheduling/locations.ts';

const MAX_PARTY = 5;

export interface ReservationImportResult {
	reservations: number;
	persons: number;
	overCapacity: number;
}

/** R-S01: a row at a location the importing clerk does not serve. */
export const NOT_SERVED_PLACE = '担当していない交付場所の予約です（担当する場所の予約だけ取り込めます）';

class Errors {
	list: ImportError[] = [];
	count = 0;
	overCapacity = 0;
	add(e: ImportError) {
		this.count++;
		if (this.list.length < MAX_REPORTED_ERRORS) this.list.push(e);
	}
}

async function readRows(ctx: AppContext, body: AsyncIterable<Uint8Array>, choice: EncodingChoice, errors: Errors): Promise<ReservationRow[]> {
	const locations = (await ctx.db.models.Location.findAll({ attributes: ['id', 'code', 'nameJa'] })).map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa }));
	const purposes = (await ctx.db.models.Purpose.findAll({ attributes: ['id', 'code', 'nameJa', 'sortOrder'], order: LISTING_ORDER })).map((p) => ({ id: p.id, code: p.code, nameJa: p.nameJa }));
	const defaultPurposeId = (purposes.find((p) => p.code === 'card_issuance') ?? purposes[0]).id;
	const { records } = await openCsv(body, choice);
	let header: ReturnType<typeof mapReservationHeader> | null = null;
	let headerNames: readonly string[] = [];
	let width = 0;
	const rows: ReservationRow[] = [];
	for await (const rec of records) {
		if (!header) {
			header = mapReservationHeader(rec.values);
			headerNames = rec.values;
			width = rec.values.length;
			for (const e of header.errors) errors.add({ line: rec.line, ...e });
			if (header.errors.length) break;
			continue;
		}
		const unreadable = unreadableCell(rec.values, headerNames);
		if (unreadable || rec.values.length !== width) {
			errors.add({ line: rec.line, ...(unreadable ?? { column: null, message: `列の数（${rec.values.length}）が見出しの列の数（${width}）と違います` }) });
			continue;
		}
		const r = validateReservationRow(rec.values, header, { line: rec.line, locations, purposes, defaultPurposeId });
		if (r.ok) rows.push(r.row);
		else for (const e of r.errors) errors.add({ line: rec.line, ...e });
	}
	if (!header) errors.add({ line: 1, column: null, message: 'ファイルが空です（1行目に見出しが必要です）' });
	else if (errors.count === 0 && rows.length === 0) errors.add({ line: 2, column: null, message: 'データの行がありません' });
	return rows;
}

interface Visit {
	rows: ReservationRow[];
	slots: SlotRow[];
	cards: PersonCard[];
	over: boolean;
}

/** Rows of one 予約番号 must agree on place, day, time and purpose, and be at most five persons. */
function groupVisits(rows: ReservationRow[], errors: Errors): Map<string, ReservationRow[]> {
	const groups = new Map<string, ReservationRow[]>();
	for (const r of rows) {
		const g = groups.get(r.group);
		if (!g) {
			groups.set(r.group, [r]);
			continue;
		}
		const first = g[0];
		if (first.locationId !== r.locationId || first.date !== r.date || first.time !== r.time || first.purposeId !== r.purposeId) {
			errors.add({ line: r.line, column: '予約番号', message: `同じ予約番号の ${first.line}行目 と交付場所・来庁日時・用件が違います` });
		} else if (g.length >= MAX_PARTY) {
			errors.add({ line: r.line, column: '予約番号', message: `1件の予約は${MAX_PARTY}人までです` });
		} else g.push(r);
	}
	return groups;
}

async function lockCards(ctx: AppContext, t: Transaction, rows: ReservationRow[], errors: Errors) {
	const found = await ctx.db.sequelize.query<{ id: string; notice_id: string; birth_date: string; status: CardStatus; booked: string | null }>(
		`SELECT c.id::text, c.notice_id, c.birth_date, c.status,
		        (SELECT r.booking_number FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id WHERE p.card_record_id = c.id AND p.active LIMIT 1) AS booked
		   FROM card_records c JOIN unnest($1::varchar[], $2::date[]) k(n, b) ON c.notice_id = k.n AND c.birth_date = k.b
		  ORDER BY c.id FOR UPDATE OF c`,
		{ bind: [rows.map((r) => r.noticeId), rows.map((r) => r.birthDate)], type: QueryTypes.SELECT, transaction: t }
	);
	const byKey = new Map(found.map((c) => [cardKey({ noticeId: c.notice_id, birthDate: c.birth_date }), c]));
	const seen = new Map<string, number>();
	const cards = new Map<number, PersonCard>();
	for (const r of rows) {
		const key = cardKey(r);
		const c = byKey.get(key);
		const bad = (message: string) => errors.add({ line: r.line, column: '交付通知書番号', message });
		if (!c) bad('交付通知書番号と生年月日に合うカードがありません（先にカードデータを取り込んでください）');
		else if (seen.has(key)) bad(`${seen.get(key)}行目 と同じカードです（1枚のカードで予約は1件だけです）`);
		else if (c.booked) bad(`このカードには既に予約があります（予約番号 ${c.booked}）`);
		else if (!BOOKABLE_STATUSES.includes(c.status)) bad(`状態が「${CARD_STATUS_LABELS[c.status].ja}」のカードは予約できません`);
		else cards.set(r.line, { index: 0, cardId: c.id, noticeId: c.notice_id, status: c.status });
		seen.set(key, seen.get(key) ?? r.line);
	}
	return cards;
}

export async function importReservations(
	ctx: AppContext,
	principal: Principal | null,
	input: { body: AsyncIterable<Uint8Array>; encoding: EncodingChoice; overrideReason?: string | null; ip?: string | null }
): Promise<ReservationImportResult> {
	const staff = requireRole(principal, 'clerk');
	const reason = input.overrideReason?.replace(/[\u0000-\u001F]/g, '').trim().slice(0, 500) || null;
	const canOverride = hasRole(staff.role, 'supervisor');
	if (reason && !canOverride) throw new AppError('forbidden', '定員を超える予約の取込は監督者または管理者のみ行えます。');
	const errors = new Errors();
	const rows = await readRows(ctx, input.body, input.encoding, errors);
	// R-S01: a clerk books only at the locations they serve
	const served = servedFilter(staff);
	if (served) for (const r of rows) if (!served.includes(r.locationId)) errors.add({ line: r.line, column: '交付場所', message: NOT_SERVED_PLACE });
	const purposes = new Map((await ctx.db.models.Purpose.findAll({ attributes: ['id', 'durationSlots'] })).map((p) => [p.id, p.durationSlots]));

	const before = { list: [...errors.list], count: errors.count };
	const done = await inTransaction(ctx, async (t) => {
		// A retried transaction (deadlock) starts again from the errors of the file itself.
		Object.assign(errors, { list: [...before.list], count: before.count, overCapacity: 0 });
		const groups = groupVisits(rows, errors);
		const cards = await lockCards(ctx, t, [...groups.values()].flat(), errors);
		// The slots of each visit: the one starting at its time, and the following ones for a longer purpose (R-S17).
		const visits: Visit[] = [];
		for (const g of groups.values()) {
			const first = g[0];
			const startsAt = new Date(`${first.date}T${first.time}:00+09:00`);
			const [slot] = await ctx.db.sequelize.query<{ id: string }>(`SELECT id::text FROM slots WHERE location_id = $1 AND starts_at = $2`, {
				bind: [first.locationId, startsAt.toISOString()],
				type: QueryTypes.SELECT,
				transaction: t
			});
			if (!slot) {
				for (const r of g) errors.add({ line: r.line, column: '来庁時刻', message: `${first.date.replaceAll('-', '/')} ${first.time} に始まる枠がありません` });
				continue;
			}
			try {
				const run = await runFrom(ctx.db, t, slot.id, purposes.get(first.purposeId) ?? 1);
				const people = g.map((r, i) => ({ ...cards.get(r.line)!, index: i })).filter((c) => c.cardId);
				visits.push({ rows: g, slots: run.rows, cards: people, over: false });
			} catch (e) {
				if (!(e instanceof AppError)) throw e;
				for (const r of g) errors.add({ line: r.line, column: '来庁時刻', message: e.message });
			}
		}
		// Capacity, with every visit of the file counted, on the locked rows.
		const ids = [...new Set(visits.flatMap((v) => v.slots.map((s) => s.id)))];
		const locked = new Map((ids.length ? await lockSlots(ctx.db, t, ids) : []).map((s) => [s.id, s]));
		const demand = new Map<string, number>();
		for (const v of visits) for (const s of v.slots) demand.set(s.id, (demand.get(s.id) ?? 0) + v.rows.length);
		for (const v of visits) {
			const full = v.slots.map((s) => locked.get(s.id)!).find((s) => s.booked + s.held + demand.get(s.id)! > s.capacity);
			if (!full) continue;
			v.over = true;
			errors.overCapacity++;
			if (!reason) {
				const message = `定員を超えます（定員${full.capacity}人・予約${full.booked}人・このファイル${demand.get(full.id)}人）。${canOverride ? '理由を入力すれば定員を超えて取り込めます' : '監督者に依頼してください'}`;
				for (const r of v.rows) errors.add({ line: r.line, column: '来庁時刻', message });
			}
		}
		if (errors.count > 0) {
			throw new AppError('unprocessable', `取り込めません: ${errors.count}件の誤りがあります。何も登録していません。`, {
				extra: { errors: [...errors.list].sort((a, b) => a.line - b.line), errorCount: errors.count, overCapacity: errors.overCapacity, canOverride }
			});
		}
		const changes: CardStatusChange[] = [];
		for (const v of visits) {
			const first = v.rows[0];
			const written = await insertReservation(ctx.db, t, {
				locationId: first.locationId,
				purposeId: first.purposeId,
				slots: v.slots,
				cards: v.cards,
				email: v.rows.find((r) => r.email)?.email ?? null,
				source: 'import',
				actor: { type: 'staff', id: staff.login, ip: input.ip ?? null },
				audience: 'staff'
			});
			if (v.over) await ctx.db.sequelize.query(`UPDATE reservations SET override_reason = $1 WHERE id = $2`, { bind: [reason, written.id], transaction: t });
			changes.push(...written.cardChanges);
		}
		await ctx.db.sequelize.query(
			`UPDATE slots s SET booked = s.booked + d.n, version = s.version + 1, updated_at = now() FROM unnest($1::bigint[], $2::int[]) d(id, n) WHERE s.id = d.id`,
			{ bind: [[...demand.keys()], [...demand.values()]], transaction: t }
		);
		const detail = { reservations: visits.length, persons: rows.length, overCapacity: errors.overCapacity, ...(errors.overCapacity ? { reason } : {}) };
		await ctx.db.sequelize.query(
			`INSERT INTO audit_log (actor_type, actor_id, action, target_type, detail, ip) VALUES ('staff', $1, 'reservations.imported', 'reservation_import', CAST($2 AS jsonb), $3)`,
			{ bind: [staff.login, JSON.stringify(detail), input.ip ?? null], transaction: t }
		);
		return { visits, changes };
	});

	const byLocation = new Map<number, SlotRow[]>();
	for (const v of done.visits) byLocation.set(v.slots[0].locationId, [...(byLocation.get(v.slots[0].locationId) ?? []), ...v.slots]);
	for (const [loc, slots] of byLocation) ctx.events.slotsChanged(loc, datesOf(slots));
	if (done.changes.length) ctx.events.cardStatusChanged(done.changes);
	return { reservations: done.visits.length, persons: rows.length, overCapacity: errors.overCapacity };
}
