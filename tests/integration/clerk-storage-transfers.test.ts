/**
 * R-S03: where a card is kept is edited on the card page (audited, kept in the card's history like
 * an import's change), and cards on the transfer list are marked sent (回送済: who, when, to where),
 * which the counter's warning and the transfer list follow. R-O03: reading one card is logged.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { changeCardStorage } from '../../src/lib/server/cards/storage.ts';
import { markTransfers } from '../../src/lib/server/cards/transfers.ts';
import { cardHistory } from '../../src/lib/server/cards/status.ts';
import { counterReservation } from '../../src/lib/server/reservations/detail.ts';
import { transferScreen } from '../../src/lib/server/lists/transfer-screen.ts';
import { exportList } from '../../src/lib/server/lists/export.ts';
import * as transfersRoute from '../../src/routes/api/v1/staff/cards/transfers/+server.ts';
import * as storageRoute from '../../src/routes/api/v1/staff/cards/[id]/storage/+server.ts';

let t: TestDatabase;
let ctx: AppContext;
let clerk: Principal;
let viewer: Principal;
let honcho: number;
let kita: number;
const DATE = '2026-12-21';

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'clerk_transfers');
	ctx = testContext(t.db, { now: new Date('2026-12-14T10:00:00+09:00') }).ctx;
	setAppContext(ctx);
	honcho = (await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' })).id;
	kita = (await makeLocation(t.db, { code: 'kita', nameJa: '北支所' })).id;
	const c = await makeStaff(t.db, 'clerk');
	clerk = { userId: c.id, login: c.login, displayName: c.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
	const v = await makeStaff(t.db, 'viewer');
	viewer = { userId: v.id, login: v.login, displayName: v.displayName, role: 'viewer', locationId: null, sessionId: 'test' };
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

/** A booking at 本庁舎 whose cards are kept at 北支所: they must be sent before the visit. */
let minute = 0;
const nextTime = () => {
	const m = 9 * 60 + 5 * minute++;
	return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
async function bookingStoredAtKita(cards = 1) {
	const slot = await makeSlot(t.db, honcho, DATE, nextTime(), 10);
	const r = await makeReservation(t.db, slot, cards);
	await t.db.sequelize.query(`UPDATE card_records SET storage_location_id = :kita, box_position = 'B-1' WHERE id IN (:ids)`, { replacements: { kita, ids: r.cardIds } });
	return r;
}

const auditRows = (action: string) =>
	t.db.sequelize.query<{ actor_id: string; target_id: string | null; detail: Record<string, unknown> }>(
		`SELECT actor_id, target_id, detail FROM audit_log WHERE action = :action ORDER BY id`,
		{ replacements: { action }, type: QueryTypes.SELECT }
	);

function call(handler: (e: never) => Promise<Response> | Response, path: string, opts: { principal?: Principal | null; method: string; body: unknown; params?: Record<string, string> }) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, { method: opts.method, body: JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } });
	const event = { request, url, params: opts.params ?? {}, locals: { principal: opts.principal ?? null, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

describe('R-S03 storage place and box edited by staff', () => {
	it('R-S03 a clerk changes 保管場所 and 保管位置: the card, a card_record_changes row (source staff) and an audit row in one go', async () => {
		const { cardIds } = await bookingStoredAtKita();
		const [id] = cardIds;
		const r = await changeCardStorage(ctx, clerk, { cardId: id, storageLocationId: honcho, boxPosition: ' A-12 ', ip: '127.0.0.1' });
		expect(r).toEqual({ cardId: id, storageLocationId: honcho, boxPosition: 'A-12', changed: true });
		const [card] = await t.db.sequelize.query<{ storage_location_id: number; box_position: string }>(`SELECT storage_location_id, box_position FROM card_records WHERE id = :id`, {
			replacements: { id },
			type: QueryTypes.SELECT
		});
		expect(card).toEqual({ storage_location_id: honcho, box_position: 'A-12' });
		const changes = await t.db.sequelize.query<{ source: string; actor_id: string; old_values: object; new_values: object }>(
			`SELECT source, actor_id, old_values, new_values FROM card_record_changes WHERE card_record_id = :id`,
			{ replacements: { id }, type: QueryTypes.SELECT }
		);
		expect(changes).toEqual([
			{ source: 'staff', actor_id: clerk.login, old_values: { storageLocationId: kita, boxPosition: 'B-1' }, new_values: { storageLocationId: honcho, boxPosition: 'A-12' } }
		]);
		const audits = (await auditRows('card.storage_changed')).filter((a) => a.target_id === id);
		expect(audits).toHaveLength(1);
		expect(audits[0].actor_id).toBe(clerk.login);
		expect(JSON.stringify(audits[0].detail)).not.toContain('A-12');
		// the card's history shows the staff change, and the counter no longer warns (kept where it is handed out)
		const h = await cardHistory(ctx, clerk, id);
		expect(h.history[0]).toMatchObject({ kind: 'data', actorId: clerk.login, fields: { storageLocationId: [kita, honcho], boxPosition: ['B-1', 'A-12'] } });
		// the same values again change nothing and write nothing
		const again = await changeCardStorage(ctx, clerk, { cardId: id, storageLocationId: honcho, boxPosition: 'A-12' });
		expect(again.changed).toBe(false);
		expect((await auditRows('card.storage_changed')).filter((a) => a.target_id === id)).toHaveLength(1);
	});

	it('R-S03 bad input is refused with problem+json and nothing written; a viewer may not edit (403)', async () => {
		const { cardIds } = await bookingStoredAtKita();
		const [id] = cardIds;
		const long = await call(storageRoute.PUT, `/api/v1/staff/cards/${id}/storage`, { principal: clerk, method: 'PUT', body: { storageLocationId: honcho, boxPosition: 'x'.repeat(41) }, params: { id } });
		expect(long.status).toBe(400);
		expect(long.headers.get('content-type')).toContain('application/problem+json');
		const unknownPlace = await call(storageRoute.PUT, `/api/v1/staff/cards/${id}/storage`, { principal: clerk, method: 'PUT', body: { storageLocationId: 999999, boxPosition: 'A' }, params: { id } });
		expect(unknownPlace.status).toBe(400);
		expect((await unknownPlace.json()).detail).toContain('保管場所');
		const byViewer = await call(storageRoute.PUT, `/api/v1/staff/cards/${id}/storage`, { principal: viewer, method: 'PUT', body: { storageLocationId: honcho, boxPosition: 'A' }, params: { id } });
		expect(byViewer.status).toBe(403);
		const ok = await call(storageRoute.PUT, `/api/v1/staff/cards/${id}/storage`, { principal: clerk, method: 'PUT', body: { storageLocationId: kita, boxPosition: 'C-3' }, params: { id } });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({ cardId: id, storageLocationId: kita, boxPosition: 'C-3', changed: true });
		const n = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM card_record_changes WHERE card_record_id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
		expect(n[0].n).toBe(1);
	});
});

describe('R-S03 transfer list: cards marked sent (回送済)', () => {
	it('R-S03 marking sent records who, when and where to; the counter stops warning; the screen list marks the row; the printed list leaves it out', async () => {
		const { reservationId, cardIds } = await bookingStoredAtKita(2);
		const before = (await counterReservation(t.db, reservationId))!;
		expect(before.persons.map((p) => p.needsTransfer)).toEqual([true, true]);

		const res = await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: clerk, method: 'POST', body: { cardIds: [cardIds[0]], sent: true } });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ sent: true, changed: [cardIds[0]], unchanged: [] });
		const [card] = await t.db.sequelize.query<{ transfer_sent_at: Date; transfer_sent_by: string; transfer_sent_to: number }>(
			`SELECT transfer_sent_at, transfer_sent_by, transfer_sent_to FROM card_records WHERE id = :id`,
			{ replacements: { id: cardIds[0] }, type: QueryTypes.SELECT }
		);
		expect(card.transfer_sent_by).toBe(clerk.login);
		expect(card.transfer_sent_to).toBe(honcho);
		expect(new Date(card.transfer_sent_at).toISOString()).toBe(ctx.now().toISOString());
		const audit = (await auditRows('card.transfer_sent')).at(-1)!;
		expect(audit).toMatchObject({ actor_id: clerk.login, target_id: cardIds[0], detail: { cardIds: [cardIds[0]], count: 1 } });

		const after = (await counterReservation(t.db, reservationId))!;
		expect(after.persons[0]).toMatchObject({ needsTransfer: false, transferSent: { by: clerk.login } });
		expect(after.persons[1]).toMatchObject({ needsTransfer: true, transferSent: null });

		const screen = await transferScreen(ctx, clerk, { locationId: honcho, from: DATE, to: DATE, includeSent: true });
		const mine = screen.rows.filter((r) => cardIds.includes(r.cardId));
		expect(mine.find((r) => r.cardId === cardIds[0])!.sent).toMatchObject({ by: clerk.login });
		expect(mine.find((r) => r.cardId === cardIds[1])!.sent).toBeNull();
		const unsentOnly = await transferScreen(ctx, clerk, { locationId: honcho, from: DATE, to: DATE, includeSent: false });
		expect(unsentOnly.rows.map((r) => r.cardId)).not.toContain(cardIds[0]);
		expect(unsentOnly.rows.map((r) => r.cardId)).toContain(cardIds[1]);
		expect((await auditRows('list.viewed')).length).toBeGreaterThanOrEqual(2);

		const csv = await exportList(ctx, clerk, { kind: 'transfer', locationId: honcho, from: DATE, to: DATE, format: 'csv', encoding: 'utf-8' });
		const text = await new Response(csv.body).text();
		const notices = await t.db.sequelize.query<{ id: string; notice_id: string }>(`SELECT id, notice_id FROM card_records WHERE id IN (:ids)`, { replacements: { ids: cardIds }, type: QueryTypes.SELECT });
		const noticeOf = (id: string) => notices.find((n) => String(n.id) === id)!.notice_id;
		expect(text).not.toContain(noticeOf(cardIds[0]));
		expect(text).toContain(noticeOf(cardIds[1]));
	});

	it('R-S03 many at once in one transaction; marking again changes nothing; unmarking brings the warning back', async () => {
		const { reservationId, cardIds } = await bookingStoredAtKita(3);
		const first = await markTransfers(ctx, clerk, { cardIds, sent: true });
		expect(first.changed.sort()).toEqual([...cardIds].sort());
		const again = await markTransfers(ctx, clerk, { cardIds, sent: true });
		expect(again).toEqual({ sent: true, changed: [], unchanged: expect.arrayContaining(cardIds) });
		expect((await counterReservation(t.db, reservationId))!.persons.every((p) => !p.needsTransfer)).toBe(true);
		const undo = await markTransfers(ctx, clerk, { cardIds: [cardIds[2]], sent: false });
		expect(undo.changed).toEqual([cardIds[2]]);
		expect((await counterReservation(t.db, reservationId))!.persons.map((p) => p.needsTransfer)).toEqual([false, false, true]);
		expect((await auditRows('card.transfer_unsent')).at(-1)).toMatchObject({ actor_id: clerk.login, target_id: cardIds[2] });
	});

	it('R-S03 a card that needs no transfer is refused (409) and nothing of the batch is written; a viewer gets 403; bad bodies 400', async () => {
		const { cardIds } = await bookingStoredAtKita();
		const slot = await makeSlot(t.db, honcho, DATE, nextTime(), 10);
		const local = await makeReservation(t.db, slot, 1); // kept where it is handed out
		const res = await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: clerk, method: 'POST', body: { cardIds: [cardIds[0], local.cardIds[0]], sent: true } });
		expect(res.status).toBe(409);
		expect(res.headers.get('content-type')).toContain('application/problem+json');
		const body = await res.json();
		expect(body.detail).toContain('回送の必要がない');
		const [c] = await t.db.sequelize.query<{ transfer_sent_at: Date | null }>(`SELECT transfer_sent_at FROM card_records WHERE id = :id`, { replacements: { id: cardIds[0] }, type: QueryTypes.SELECT });
		expect(c.transfer_sent_at).toBeNull();
		expect((await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: viewer, method: 'POST', body: { cardIds: [cardIds[0]], sent: true } })).status).toBe(403);
		expect((await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: null, method: 'POST', body: { cardIds: [cardIds[0]], sent: true } })).status).toBe(401);
		expect((await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: clerk, method: 'POST', body: { cardIds: [], sent: true } })).status).toBe(400);
		expect((await call(transfersRoute.POST, '/api/v1/staff/cards/transfers', { principal: clerk, method: 'POST', body: { cardIds: ['999999999'], sent: true } })).status).toBe(404);
	});

	it('R-S03 moving the card to where it is handed out ends the mark (the new place is where it is)', async () => {
		const { reservationId, cardIds } = await bookingStoredAtKita();
		await markTransfers(ctx, clerk, { cardIds, sent: true });
		await changeCardStorage(ctx, clerk, { cardId: cardIds[0], storageLocationId: honcho, boxPosition: 'A-1' });
		const p = (await counterReservation(t.db, reservationId))!.persons[0];
		expect(p).toMatchObject({ needsTransfer: false, transferSent: null });
	});
});

describe('R-O03 reading one card is logged', () => {
	it('R-O03 the card history (card page and API) writes card.viewed with who and which card, nothing personal', async () => {
		const { cardIds } = await bookingStoredAtKita();
		await cardHistory(ctx, viewer, cardIds[0], { ip: '10.0.0.9' });
		const row = (await auditRows('card.viewed')).at(-1)!;
		expect(row).toMatchObject({ actor_id: viewer.login, target_id: cardIds[0] });
		expect(JSON.stringify(row.detail)).not.toMatch(/テスト|19\d\d-/);
	});
});
