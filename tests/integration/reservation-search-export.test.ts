/**
 * R-S09: reservation search by a range of visit dates, by status alone, paged beyond 50 with a
 * total; the result as CSV (UTF-8 with BOM, Shift_JIS) and .xlsx (typed cells, Japanese sheet and
 * headers, frozen header row). Every search and export is in the 操作ログ.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { searchReservations } from '../../src/lib/server/reservations/search.ts';
import * as searchRoute from '../../src/routes/api/v1/staff/reservations/+server.ts';
import * as exportRoute from '../../src/routes/api/v1/staff/reservations/export/+server.ts';
import * as searchPage from '../../src/routes/staff/(app)/reservations/+page.server.ts';

let t: TestDatabase;
let ctx: AppContext;
let viewer: Principal;
let loc: number;
const ids: Record<string, string[]> = {};

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'resv_search');
	ctx = testContext(t.db, { now: new Date('2026-12-01T09:00:00+09:00') }).ctx;
	setAppContext(ctx);
	loc = (await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' })).id;
	const v = await makeStaff(t.db, 'viewer');
	viewer = { userId: v.id, login: v.login, displayName: v.displayName, role: 'viewer', locationId: null, sessionId: 'test' };
	// 60 bookings on 12-10 (one person each), 3 on 12-11, 2 on 12-20 of which one cancelled
	for (const [date, count] of [['2026-12-10', 60], ['2026-12-11', 3], ['2026-12-20', 2]] as const) {
		ids[date] = [];
		for (let i = 0; i < count; i++) {
			const m = 9 * 60 + i * 5;
			const slot = await makeSlot(t.db, loc, date, `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`, 5);
			ids[date].push((await makeReservation(t.db, slot, 1)).reservationId);
		}
	}
	await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: ids['2026-12-20'][1] } });
	await t.db.sequelize.query(`UPDATE reservations SET checked_in_at = '2026-12-10T09:03:00+09:00' WHERE id = :id`, { replacements: { id: ids['2026-12-10'][0] } });
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function event(path: string, principal: Principal | null = viewer): any {
	const url = new URL(`http://127.0.0.1${path}`);
	return { request: new Request(url), url, params: {}, locals: { principal, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
}
const audits = (action: string) =>
	t.db.sequelize.query<{ actor_id: string; detail: Record<string, unknown> }>(`SELECT actor_id, detail FROM audit_log WHERE action = :action ORDER BY id`, {
		replacements: { action },
		type: QueryTypes.SELECT
	});

describe('R-S09 reservation search', () => {
	it('R-S09 a date range (from/to) finds the bookings of those days only', async () => {
		const r = await searchReservations(ctx, viewer, { from: '2026-12-11', to: '2026-12-20', limit: 50 });
		expect(r.total).toBe(5);
		expect(r.items.map((i) => i.id).sort()).toEqual([...ids['2026-12-11'], ...ids['2026-12-20']].sort());
		const open = await searchReservations(ctx, viewer, { from: '2026-12-20', limit: 50 });
		expect(open.items.map((i) => i.date)).toEqual(['2026-12-20', '2026-12-20']);
	});

	it('R-S09 a status alone is a search (no term needed)', async () => {
		const r = await searchReservations(ctx, viewer, { status: 'cancelled', limit: 50 });
		expect(r.items.map((i) => i.id)).toEqual([ids['2026-12-20'][1]]);
		expect(r.total).toBe(1);
		// over HTTP too
		const res = await searchRoute.GET(event('/api/v1/staff/reservations?status=cancelled'));
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ total: 1, limit: 50, offset: 0, truncated: false, items: [{ id: ids['2026-12-20'][1] }] });
	});

	it('R-S09 paging beyond 50: limit/offset with a total; pages do not overlap and together hold every match', async () => {
		const p1 = await (await searchRoute.GET(event('/api/v1/staff/reservations?date=2026-12-10'))).json();
		expect(p1).toMatchObject({ total: 60, limit: 50, offset: 0, truncated: true });
		expect(p1.items).toHaveLength(50);
		const p2 = await (await searchRoute.GET(event('/api/v1/staff/reservations?date=2026-12-10&offset=50'))).json();
		expect(p2).toMatchObject({ total: 60, offset: 50, truncated: false });
		expect(p2.items).toHaveLength(10);
		const all = [...p1.items, ...p2.items].map((i: { id: string }) => i.id);
		expect(new Set(all).size).toBe(60);
		expect(all.sort()).toEqual([...ids['2026-12-10']].sort());
		// the page shows the same pages
		const page = (await searchPage.load(event('/staff/reservations?date=2026-12-10&offset=50'))) as { found: { total: number; offset: number; items: unknown[] }; pageSize: number };
		expect(page.found).toMatchObject({ total: 60, offset: 50 });
		expect(page.found.items).toHaveLength(10);
		const searched = (await audits('reservations.searched')).at(-1)!;
		expect(searched.detail).toMatchObject({ date: '2026-12-10', offset: 50, rows: 10, total: 60 });
	});

	it('R-S09 bad input: to before from, a bad offset or date → 400 problem+json', async () => {
		for (const q of ['from=2026-12-20&to=2026-12-10', 'offset=-1', 'from=2026-13-01', 'limit=500']) {
			const res = await searchRoute.GET(event(`/api/v1/staff/reservations?${q}`));
			expect(res.status, q).toBe(400);
			expect(res.headers.get('content-type'), q).toContain('application/problem+json');
		}
		const page = (await searchPage.load(event('/staff/reservations?from=2026-12-20&to=2026-12-10'))) as { invalid: boolean; badRange: boolean; found: unknown };
		expect(page).toMatchObject({ invalid: true, badRange: true, found: null });
	});
});

describe('R-S09 reservation export', () => {
	it('R-S09 CSV UTF-8 with BOM and Japanese headers, one row per person; audited with the filters', async () => {
		const res = await exportRoute.GET(event('/api/v1/staff/reservations/export?from=2026-12-11&to=2026-12-20&format=csv'));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const rows = parse(new TextDecoder().decode(bytes.slice(3))) as string[][];
		expect(rows[0]).toEqual(['予約番号', '来庁日', '開始時刻', '終了時刻', '交付場所', '予約の状態', '人数', '来庁受付', '順', '氏名カナ', '交付通知書番号', 'カードの状態']);
		expect(rows).toHaveLength(1 + 5);
		expect(rows.filter((r) => r[5] === '取消済み')).toHaveLength(1);
		expect(rows[1][1]).toMatch(/^2026\/12\/(11|20)$/);
		expect(rows[1][4]).toBe('市役所本庁舎');
		const a = (await audits('reservations.exported')).at(-1)!;
		expect(a.actor_id).toBe(viewer.login);
		expect(a.detail).toMatchObject({ from: '2026-12-11', to: '2026-12-20', format: 'csv', encoding: 'utf-8', bookings: 5, rows: 5 });
		expect(JSON.stringify(a.detail)).not.toContain('テスト');
	});

	it('R-S09 CSV in Shift_JIS decodes to the same Japanese text', async () => {
		const res = await exportRoute.GET(event('/api/v1/staff/reservations/export?status=cancelled&format=csv&encoding=shift_jis'));
		expect(res.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
		const text = iconv.decode(Buffer.from(await res.arrayBuffer()), 'cp932');
		const rows = parse(text) as string[][];
		expect(rows[0][0]).toBe('予約番号');
		expect(rows[1]).toContain('取消済み');
		expect(rows[1]).toContain('テスト タロウ');
		expect((await audits('reservations.exported')).at(-1)!.detail).toMatchObject({ status: 'cancelled', encoding: 'shift_jis' });
	});

	it('R-S09 xlsx: Japanese sheet name and headers, frozen header row, typed date/number/date-time cells', async () => {
		const res = await exportRoute.GET(event('/api/v1/staff/reservations/export?date=2026-12-10&format=xlsx'));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await res.arrayBuffer());
		const ws = wb.getWorksheet('予約検索結果')!;
		expect(ws).toBeTruthy();
		expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
		expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['予約番号', '来庁日', '開始時刻', '終了時刻', '交付場所', '予約の状態', '人数', '来庁受付', '順', '氏名カナ', '交付通知書番号', 'カードの状態']);
		expect(ws.rowCount).toBe(61);
		const row = ws.getRow(2);
		expect(row.getCell(2).value).toBeInstanceOf(Date);
		expect((row.getCell(2).value as Date).toISOString()).toBe('2026-12-10T00:00:00.000Z');
		expect(row.getCell(2).numFmt).toBe('yyyy/mm/dd');
		expect(typeof row.getCell(7).value).toBe('number');
		// the one checked-in visit carries its Tokyo wall-clock time as a date-time cell
		const checked = [...Array(60).keys()].map((i) => ws.getRow(i + 2).getCell(8).value).filter((v) => v instanceof Date) as Date[];
		expect(checked.map((d) => d.toISOString())).toEqual(['2026-12-10T09:03:00.000Z']);
		expect((await audits('reservations.exported')).at(-1)!.detail).toMatchObject({ date: '2026-12-10', format: 'xlsx', rows: 60 });
	});

	it('R-S09 R-O04 a formula typed into a name stays text: escaped in the CSV, a typed string cell (never a formula) in the xlsx', async () => {
		const evil = '=HYPERLINK("http://x.example/","a")';
		await t.db.sequelize.query(
			`UPDATE card_records SET name_kana = :evil WHERE id = (SELECT card_record_id FROM reservation_persons WHERE reservation_id = :id LIMIT 1)`,
			{ replacements: { evil, id: ids['2026-12-11'][0] } }
		);
		const csv = await (await exportRoute.GET(event('/api/v1/staff/reservations/export?date=2026-12-11&format=csv&encoding=utf-8'))).text();
		expect(csv).toContain(`"'=HYPERLINK(""http://x.example/"",""a"")"`);
		expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
		const res = await exportRoute.GET(event('/api/v1/staff/reservations/export?date=2026-12-11&format=xlsx'));
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await res.arrayBuffer());
		const ws = wb.getWorksheet('予約検索結果')!;
		const cells = [...Array(ws.rowCount - 1).keys()].map((i) => ws.getRow(i + 2).getCell(10));
		const cell = cells.find((c) => String(c.value).includes('HYPERLINK'))!;
		expect(cell.type).toBe(ExcelJS.ValueType.String);
		expect(cell.formula).toBeUndefined();
		expect(cell.value).toBe(evil);
	});

	it('R-S09 export: no session 401, a bad format 400, as problem+json', async () => {
		expect((await exportRoute.GET(event('/api/v1/staff/reservations/export?status=active', null))).status).toBe(401);
		const bad = await exportRoute.GET(event('/api/v1/staff/reservations/export?status=active&format=pdf'));
		expect(bad.status).toBe(400);
		expect(bad.headers.get('content-type')).toContain('application/problem+json');
	});
});
