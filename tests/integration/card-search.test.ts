import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff, purposeId } from '../harness/factories.ts';
import { cardsByNoticeIds, listCards, searchCards } from '../../src/lib/server/cards/search.ts';
import { searchReservations } from '../../src/lib/server/reservations/search.ts';
import { exportCards, EXPORT_HEADER } from '../../src/lib/server/cards/export.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Db } from '../../db/index.ts';

let t: TestDatabase;
let viewer: Principal;
let north: number;
let south: number;
let visit: { reservationId: string; cardIds: string[] };
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'card_search');
	north = (await makeLocation(t.db, { nameJa: '北支所' })).id;
	south = (await makeLocation(t.db, { nameJa: '南支所' })).id;
	const u = await makeStaff(t.db, 'viewer');
	viewer = { userId: u.id, login: u.login, displayName: u.displayName, role: 'viewer', locationId: null, sessionId: 'test' };
	await seed(t.db);
	const slot = await makeSlot(t.db, south, '2026-12-03', '10:00', 4);
	visit = await makeReservation(t.db, slot);
});
afterAll(async () => t?.drop());

async function seed(db: Db) {
	const rows = [
		['K0001', '1980-01-01', 'アオキ イチロウ', north, '箱1-003', 'notice_sent'],
		['K0002', '1981-02-02', 'アオヤマ ジロウ', north, '箱1-001', 'returned'],
		['K0003', '1982-03-03', 'イトウ サブロウ', south, '箱2-001', 'notice_sent'],
		['K0003', '1990-04-04', 'ウエダ シロウ', south, '箱2-002', 'issued'],
		['L0100', '1975-05-05', 'エンドウ ゴロウ', north, '箱1-002', 'cancelled']
	] as const;
	for (const [noticeId, birthDate, nameKana, storageLocationId, boxPosition, status] of rows) {
		await db.models.CardRecord.create({ noticeId, birthDate, nameKanji: '見本', nameKana, storageLocationId, boxPosition, status });
	}
}

describe('reads of personal data are logged (R-O04)', () => {
	it('R-O04 R-O03 a card search, a pasted list and a booking search each write an audit row with the kinds of filter and the count, never the typed notice ID or name', async () => {
		const { ctx } = testContext(t.db);
		const since = (await t.db.sequelize.query(`SELECT coalesce(max(id), 0) AS m FROM audit_log`, { plain: true })) as { m: string };
		await searchCards(ctx, viewer, { limit: 50, offset: 0, kana: 'アオキ', status: 'notice_sent' });
		await cardsByNoticeIds(ctx, viewer, ['K0001', 'K-0003']);
		await searchReservations(ctx, viewer, { q: 'イトウ', locationId: south, limit: 20 });
		const [rows] = (await t.db.sequelize.query(`SELECT actor_id, action, target_type, detail::text AS detail FROM audit_log WHERE id > :m ORDER BY id`, { replacements: { m: since.m } })) as [
			{ actor_id: string; action: string; target_type: string; detail: string }[],
			unknown
		];
		expect(rows.map((r) => r.action)).toEqual(['cards.searched', 'cards.searched', 'reservations.searched']);
		expect(rows.every((r) => r.actor_id === viewer.login)).toBe(true);
		expect(JSON.parse(rows[0].detail)).toEqual({ filters: { kana: true, status: 'notice_sent' }, rows: 1, total: 1 });
		expect(JSON.parse(rows[1].detail)).toEqual({ filters: { noticeIds: 2 }, rows: 3 });
		expect(JSON.parse(rows[2].detail)).toMatchObject({ term: 'kana', locationId: south });
		for (const r of rows) expect(r.detail).not.toMatch(/アオキ|イトウ|K0001|K0003|K-0003/);
	});
});

describe('card search', () => {
	it('R-S09 filters: status, notice ID prefix (hyphens ignored), kana prefix (hiragana or half-width accepted), storage location', async () => {
		const { ctx } = testContext(t.db);
		const ids = async (q: object) => (await searchCards(ctx, viewer, { limit: 50, offset: 0, sort: 'noticeId', ...q })).items.map((c) => `${c.noticeId}/${c.birthDate.slice(0, 4)}`);
		expect(await ids({ status: 'notice_sent', storageLocationId: north })).toEqual(['K0001/1980']);
		expect(await ids({ noticeId: 'k-000' })).toEqual(['K0001/1980', 'K0002/1981', 'K0003/1982', 'K0003/1990']);
		expect(await ids({ kana: 'あお' })).toEqual(['K0001/1980', 'K0002/1981']);
		expect(await ids({ kana: 'ｱｵﾔﾏ' })).toEqual(['K0002/1981']);
		expect(await ids({ storageLocationId: south, status: 'issued' })).toEqual(['K0003/1990']);
		expect(await ids({ noticeId: '%' })).toEqual([]);
		expect(await ids({ kana: '山田' })).toEqual([]);
	});

	it('R-S09 reservations: filter by visit date range, issuing location and purpose; the visit is on the row', async () => {
		const { ctx } = testContext(t.db);
		const p = await purposeId(t.db);
		const hit = await searchCards(ctx, viewer, { limit: 50, offset: 0, from: '2026-12-01', to: '2026-12-05', locationId: south, purposeId: p });
		expect(hit.total).toBe(1);
		expect(hit.items[0]).toMatchObject({ id: visit.cardIds[0], status: 'reserved', reservation: { id: visit.reservationId, date: '2026-12-03', locationId: south, startsAt: '2026-12-03T01:00:00.000Z' } });
		expect((await searchCards(ctx, viewer, { limit: 50, offset: 0, from: '2026-12-04' })).total).toBe(0);
		expect((await searchCards(ctx, viewer, { limit: 50, offset: 0, locationId: north })).total).toBe(0);
	});

	it('R-S09 sorting and pagination: sort by kana and storage position, both directions, stable pages', async () => {
		const { ctx } = testContext(t.db);
		const kana = await searchCards(ctx, viewer, { limit: 2, offset: 0, sort: 'nameKana', dir: 'desc', storageLocationId: north });
		expect(kana.total).toBe(3);
		expect(kana.items.map((c) => c.nameKana)).toEqual(['エンドウ ゴロウ', 'アオヤマ ジロウ']);
		const page2 = await searchCards(ctx, viewer, { limit: 2, offset: 2, sort: 'nameKana', dir: 'desc', storageLocationId: north });
		expect(page2.items.map((c) => c.nameKana)).toEqual(['アオキ イチロウ']);
		const pull = await searchCards(ctx, viewer, { limit: 50, offset: 0, sort: 'storage', storageLocationId: north });
		expect(pull.items.map((c) => c.boxPosition)).toEqual(['箱1-001', '箱1-002', '箱1-003']);
	});

	it('R-S09 the API listing keeps its six fields and its q (notice ID prefix or name kana prefix)', async () => {
		const { ctx } = testContext(t.db);
		const r = await listCards(ctx, viewer, { q: 'アオヤ', limit: 10, offset: 0 });
		expect((await listCards(ctx, viewer, { q: 'k-0003', limit: 10, offset: 0 })).total).toBe(2);
		expect(r).toEqual({ total: 1, items: [{ id: expect.any(String), noticeId: 'K0002', birthDate: '1981-02-02', nameKana: 'アオヤマ ジロウ', status: 'returned', storageLocationId: north }] });
		await expect(listCards(ctx, null, { limit: 10, offset: 0 })).rejects.toMatchObject({ status: 401 });
	});

	it('R-S09 R-S08 pasted notice IDs resolve to every card with that ID; unknown and invalid ones are reported', async () => {
		const { ctx } = testContext(t.db);
		const r = await cardsByNoticeIds(ctx, viewer, ['K-0003', ' ｋ０００１ ', 'Z9999', '', '!!']);
		expect(r.items.map((c) => `${c.noticeId}/${c.birthDate}`)).toEqual(['K0001/1980-01-01', 'K0003/1982-03-03', 'K0003/1990-04-04']);
		expect(r.notFound).toEqual(['Z9999']);
		expect(r.invalid).toEqual(['!!']);
	});

	it('R-S09 export: UTF-8 with BOM and Shift_JIS, Japanese headers, the filtered rows; the export is in the audit log without personal data', async () => {
		const { ctx } = testContext(t.db, { now: new Date('2026-11-24T03:00:00Z') });
		const read = async (s: ReadableStream<Uint8Array>) => Buffer.concat(await Array.fromAsync(s as unknown as AsyncIterable<Uint8Array>));
		const u = await exportCards(ctx, viewer, { query: { storageLocationId: north, sort: 'storage' }, encoding: 'utf-8' });
		const bytes = await read(u.stream);
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const rows = parse(bytes.subarray(3).toString('utf8')) as string[][];
		expect(rows[0]).toEqual(EXPORT_HEADER);
		expect(rows.slice(1).map((r) => [r[0], r[4], r[5], r[6]])).toEqual([
			['K0002', '返戻', '北支所', '箱1-001'],
			['L0100', '取消', '北支所', '箱1-002'],
			['K0001', '通知書発送済', '北支所', '箱1-003']
		]);
		expect(u.filename).toBe('cards-20261124.csv');
		const s = await exportCards(ctx, viewer, { query: { locationId: south }, encoding: 'shift_jis' });
		const sj = parse(iconv.decode(await read(s.stream), 'cp932')) as string[][];
		expect(sj[1]).toEqual([expect.any(String), '1980/01/01', 'テスト 太郎', 'テスト タロウ', '予約済', '南支所', '', expect.stringMatching(/^T/), '2026/12/03', '10:00', '南支所']);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'cards.exported' }, order: [['id', 'DESC']] });
		expect(log?.detail).toEqual({ rows: 1, encoding: 'shift_jis' });
		await expect(exportCards(ctx, null, { query: {}, encoding: 'utf-8' })).rejects.toMatchObject({ status: 401 });
	});
});
