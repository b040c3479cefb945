import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSchedule, makeSlot, makeStaff } from '../harness/factories.ts';
import { exportList, type ExportInput } from '../../src/lib/server/lists/export.ts';
import { ROWS_PER_PAGE } from '../../src/lib/server/lists/pdf.ts';
import { boxKeySql, compareBoxPositions } from '../../src/lib/domain/lists/index.ts';
import { QueryTypes } from 'sequelize';
import { setAppContext } from '../../src/lib/server/context.ts';
import { GET } from '../../src/routes/api/v1/staff/lists/[kind]/+server.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import type { Db } from '../../db/index.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'lists');
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

const NOW = new Date('2026-12-01T01:00:00Z'); // Tue 10:00 in Tokyo

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

interface Person {
	nameKanji: string;
	nameKana: string;
	storageLocationId: number;
	boxPosition: string;
}

/** A visit whose persons have the given names and storage places (personal data made up). */
async function visit(db: Db, slot: Awaited<ReturnType<typeof makeSlot>>, persons: Person[], email: string | null = null) {
	const r = await makeReservation(db, slot, persons.length);
	for (const [i, p] of persons.entries()) {
		await db.models.CardRecord.update({ ...p, noticeId: `N${r.reservationId}${i}` }, { where: { id: r.cardIds[i] } });
	}
	if (email) await db.models.Reservation.update({ email }, { where: { id: r.reservationId } });
	const booking = (await db.models.Reservation.findByPk(r.reservationId))!.bookingNumber;
	return { ...r, booking };
}

async function bytes(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
	return Buffer.from(await new Response(stream).arrayBuffer());
}

/** PDFs are kept under tests/.artifacts to be rendered (pdftoppm) and looked at. */
function keep(name: string, buf: Buffer) {
	mkdirSync('tests/.artifacts', { recursive: true });
	writeFileSync(`tests/.artifacts/${name}`, buf);
}

async function pdfText(buf: Buffer): Promise<string[]> {
	const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
	const task = pdfjs.getDocument({ data: new Uint8Array(buf), useSystemFonts: false });
	const doc = await task.promise;
	const pages: string[] = [];
	for (let i = 1; i <= doc.numPages; i++) {
		const c = await (await doc.getPage(i)).getTextContent();
		pages.push(c.items.map((x) => ('str' in x ? x.str : '')).join('\n'));
	}
	await task.destroy();
	return pages;
}

let main: { id: number };
let north: { id: number };
let clerk: Principal;
const base = (over: Partial<ExportInput>): ExportInput => ({ kind: 'reservations', locationId: main.id, from: '2026-12-07', to: '2026-12-08', format: 'csv', encoding: 'utf-8', ...over });

describe('lists', () => {
	let v1: Awaited<ReturnType<typeof visit>>, v2: Awaited<ReturnType<typeof visit>>, v3: Awaited<ReturnType<typeof visit>>;

	beforeAll(async () => {
		main = await makeLocation(t.db, { nameJa: '市役所本庁舎' });
		north = await makeLocation(t.db, { nameJa: '北支所' });
		await t.db.models.Location.update({ sortOrder: 1 }, { where: { id: main.id } });
		await t.db.models.Location.update({ sortOrder: 2 }, { where: { id: north.id } });
		await makeSchedule(t.db, main.id);
		await makeSchedule(t.db, north.id);
		clerk = await principal('clerk');
		// Monday 12-07 at the main office: two visits; Tuesday 12-08: one; a visit at the north branch on the same day
		const s1 = await makeSlot(t.db, main.id, '2026-12-07', '10:00', 4);
		const s2 = await makeSlot(t.db, main.id, '2026-12-07', '09:00', 4);
		const s3 = await makeSlot(t.db, main.id, '2026-12-08', '14:30', 4);
		const sn = await makeSlot(t.db, north.id, '2026-12-07', '09:00', 4);
		v1 = await visit(t.db, s1, [
			{ nameKanji: '山田 太郎', nameKana: 'ヤマダ タロウ', storageLocationId: main.id, boxPosition: '箱10-001' },
			{ nameKanji: '山田 花子', nameKana: 'ヤマダ ハナコ', storageLocationId: north.id, boxPosition: '箱2-005' }
		], 'yamada@example.jp');
		v2 = await visit(t.db, s2, [{ nameKanji: '𠮷田 一郎', nameKana: 'ヨシダ イチロウ', storageLocationId: main.id, boxPosition: '箱2-010' }]);
		v3 = await visit(t.db, s3, [{ nameKanji: '髙橋 次郎', nameKana: 'タカハシ ジロウ', storageLocationId: north.id, boxPosition: '箱１-００３' }]);
		await visit(t.db, sn, [{ nameKanji: '北村 三郎', nameKana: 'キタムラ サブロウ', storageLocationId: main.id, boxPosition: '箱9-001' }]);
	});

	it('R-S10 reservations CSV (UTF-8 with BOM) parses back to the rows in day and time order with Japanese headers', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const list = await exportList(ctx, clerk, base({}));
		const buf = await bytes(list.body);
		expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(buf.toString('utf8')).toContain('\r\n');
		const rows: string[][] = parse(buf.subarray(3).toString('utf8'));
		expect(rows).toEqual([
			['日付', '時間', '予約番号', '氏名', '氏名カナ', '交付通知書番号', '人数/目的', '予約の状態', '状態', '来庁'],
			['2026-12-07', '09:00', v2.booking, '𠮷田 一郎', 'ヨシダ イチロウ', `N${v2.reservationId}0`, '1人/カードの交付', '予約中', '予約済', ''],
			['2026-12-07', '10:00', v1.booking, '山田 太郎', 'ヤマダ タロウ', `N${v1.reservationId}0`, '2人/カードの交付', '予約中', '予約済', ''],
			['2026-12-07', '10:00', v1.booking, '山田 花子', 'ヤマダ ハナコ', `N${v1.reservationId}1`, '2人/カードの交付', '予約中', '予約済', ''],
			['2026-12-08', '14:30', v3.booking, '髙橋 次郎', 'タカハシ ジロウ', `N${v3.reservationId}0`, '1人/カードの交付', '予約中', '予約済', '']
		]);
		expect(list.rows).toBe(4);
		expect(list.fileName).toBe('予約一覧_市役所本庁舎_2026-12-07_2026-12-08.csv');
	});

	it('R-S10 Shift_JIS CSV for Excel: Windows-31J characters survive (髙), others become 〓 rather than "?"', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const list = await exportList(ctx, clerk, base({ encoding: 'shift_jis' }));
		expect(list.contentType).toBe('text/csv; charset=Shift_JIS');
		const rows: string[][] = parse(iconv.decode(await bytes(list.body), 'cp932'));
		expect(rows[0][0]).toBe('日付');
		expect(rows.map((r) => r[3])).toEqual(['氏名', '〓田 一郎', '山田 太郎', '山田 花子', '髙橋 次郎']);
	});

	it('R-S10 pull list sorted by storage location, then box position by number (箱１ < 箱2 < 箱10), across days', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const rows: string[][] = parse((await bytes((await exportList(ctx, clerk, base({ kind: 'pull' }))).body)).subarray(3).toString('utf8'));
		expect(rows[0]).toEqual(['保管場所', '保管位置', '交付通知書番号', '氏名', '氏名カナ', '来庁日時', '交付場所']);
		expect(rows.slice(1).map((r) => [r[0], r[1], r[3], r[5], r[6]])).toEqual([
			['市役所本庁舎', '箱2-010', '𠮷田 一郎', '2026-12-07 09:00', '市役所本庁舎'],
			['市役所本庁舎', '箱10-001', '山田 太郎', '2026-12-07 10:00', '市役所本庁舎'],
			['北支所', '箱１-００３', '髙橋 次郎', '2026-12-08 14:30', '市役所本庁舎'],
			['北支所', '箱2-005', '山田 花子', '2026-12-07 10:00', '市役所本庁舎']
		]);
	});

	it('R-S10 without a location the pull list covers every issuing location', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const rows: string[][] = parse((await bytes((await exportList(ctx, clerk, base({ kind: 'pull', locationId: null, to: '2026-12-07' }))).body)).subarray(3).toString('utf8'));
		expect(rows.slice(1).map((r) => [r[1], r[6]])).toEqual([
			['箱2-010', '市役所本庁舎'],
			['箱9-001', '北支所'],
			['箱10-001', '市役所本庁舎'],
			['箱2-005', '市役所本庁舎']
		]);
	});

	it('R-S11 transfer list: only cards stored elsewhere, ship-by date from lead days per pair (or the default) in open days', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const read = async () => parse((await bytes((await exportList(ctx, clerk, base({ kind: 'transfer' }))).body)).subarray(3).toString('utf8')) as string[][];
		let rows = await read();
		expect(rows[0]).toEqual(['保管場所', '回送先(交付場所)', '来庁日', '発送期限日', '交付通知書番号', '氏名', '保管位置']);
		// default 2 open days: Mon 12-07 → Thu 12-03; Tue 12-08 → Fri 12-04
		expect(rows.slice(1)).toEqual([
			['北支所', '市役所本庁舎', '2026-12-07', '2026-12-03', `N${v1.reservationId}1`, '山田 花子', '箱2-005'],
			['北支所', '市役所本庁舎', '2026-12-08', '2026-12-04', `N${v3.reservationId}0`, '髙橋 次郎', '箱１-００３']
		]);
		await t.db.sequelize.query(`INSERT INTO transfer_lead_days (from_location_id, to_location_id, days) VALUES (:f, :t, 3)`, { replacements: { f: north.id, t: main.id } });
		rows = await read();
		expect(rows.slice(1).map((r) => r[3])).toEqual(['2026-12-02', '2026-12-03']);
		await t.db.sequelize.query(`DELETE FROM transfer_lead_days`);
	});

	it('R-S10 R-S11 PDF: Japanese text extracted, rows in order, city name, printed time, page numbers "1 / N"', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await t.db.sequelize.query(`UPDATE city_settings SET city_name = jsonb_set(city_name, '{ja}', '"久留米市"')`);
		const list = await exportList(ctx, clerk, base({ kind: 'pull', format: 'pdf' }));
		expect(list.contentType).toBe('application/pdf');
		const buf = await bytes(list.body);
		expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
		keep('lists-pull.pdf', buf);
		const [page] = await pdfText(buf);
		for (const s of ['引き抜きリスト', '久留米市', '出力日時: 2026-12-01 10:00', '交付場所: 市役所本庁舎', '件数: 4件', '保管位置', '1 / 1']) expect(page).toContain(s);
		const order = ['𠮷田 一郎', '山田 太郎', '髙橋 次郎', '山田 花子'].map((n) => page.indexOf(n));
		expect(order.every((p) => p >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
	});

	it('R-S10 a long list runs over pages, each numbered "n / N", rows continuing in order', async () => {
		const loc = await makeLocation(t.db, { nameJa: '南支所' });
		const slot = await makeSlot(t.db, loc.id, '2026-12-09', '09:00', 100);
		const n = ROWS_PER_PAGE + 5;
		for (let i = 0; i < n; i++) {
			await visit(t.db, slot, [{ nameKanji: `連番 ${String(i).padStart(3, '0')}`, nameKana: 'レンバン', storageLocationId: loc.id, boxPosition: `棚${i}` }]);
		}
		const { ctx } = testContext(t.db, { now: NOW });
		const list = await exportList(ctx, clerk, base({ kind: 'pull', format: 'pdf', locationId: loc.id, from: '2026-12-09', to: '2026-12-09' }));
		const buf = await bytes(list.body);
		keep('lists-pull-2-pages.pdf', buf);
		const pages = await pdfText(buf);
		expect(pages).toHaveLength(2);
		expect(pages[0]).toContain('1 / 2');
		expect(pages[1]).toContain('2 / 2');
		expect(pages[0]).toContain('連番 000');
		expect(pages[0]).toContain(`連番 ${String(ROWS_PER_PAGE - 1).padStart(3, '0')}`);
		expect(pages[1]).toContain(`連番 ${String(ROWS_PER_PAGE).padStart(3, '0')}`);
		expect(pages[1]).toContain('引き抜きリスト');
	});

	it('R-S10 an empty range still prints one page saying so', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const pages = await pdfText(await bytes((await exportList(ctx, clerk, base({ kind: 'no-shows', format: 'pdf' }))).body));
		expect(pages).toHaveLength(1);
		expect(pages[0]).toContain('該当するデータはありません。');
		expect(pages[0]).toContain('1 / 1');
	});

	it('R-O03 R-S10 every export writes list.exported with kind, location, range, format and row count, and no personal data', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const list = await exportList(ctx, clerk, base({ kind: 'transfer', format: 'pdf' }));
		await bytes(list.body);
		const row = await t.db.models.AuditLog.findOne({ where: { action: 'list.exported', targetId: 'transfer' }, order: [['id', 'DESC']] });
		expect(row?.actorId).toBe(clerk.login);
		expect(row?.detail).toEqual({ kind: 'transfer', locationId: main.id, from: '2026-12-07', to: '2026-12-08', format: 'pdf', encoding: null, rows: 2 });
		expect(JSON.stringify(row?.detail)).not.toMatch(/山田|N\d/);
	});

	it('R-S10 R-O05 viewers may not export; a range over 93 days, from after to, an unknown location are 400s naming the field', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const before = await t.db.models.AuditLog.count({ where: { action: 'list.exported' } });
		await expect(exportList(ctx, await principal('viewer'), base({}))).rejects.toMatchObject({ status: 403 });
		await expect(exportList(ctx, null, base({}))).rejects.toMatchObject({ status: 401 });
		await expect(exportList(ctx, clerk, base({ from: '2026-12-01', to: '2027-03-04' }))).rejects.toMatchObject({ status: 400, errors: [{ field: 'to', message: expect.stringContaining('93日以内') }] });
		await expect(exportList(ctx, clerk, base({ from: '2026-12-09', to: '2026-12-08' }))).rejects.toMatchObject({ status: 400, errors: [{ field: 'to' }] });
		await expect(exportList(ctx, clerk, base({ locationId: 999_999 }))).rejects.toMatchObject({ status: 400, errors: [{ field: 'locationId' }] });
		expect(await t.db.models.AuditLog.count({ where: { action: 'list.exported' } })).toBe(before);
	});
});

describe('the database sorts box positions like the domain rule', () => {
	it('R-S10 Postgres orders by the SQL key exactly as compareBoxPositions does (digits, full-width digits, letters, kana, symbols)', async () => {
		const positions = ['箱10-001', '箱2-010', '箱２-９', 'A-1', 'A-01', 'a-1', 'B12棚3', 'B12棚03', 'B2棚30', '', '-', '棚', 'ｱ1', 'ア1', '箱0010', '箱9', '1', '01', '001a', '12345678901234', 'Z'];
		for (let i = 0; i < 40; i++) positions.push(`箱${(i * 7919) % 113}-${(i * 104729) % 1000}`);
		const rows = await t.db.sequelize.query<{ p: string }>(
			`SELECT p FROM unnest(ARRAY[:positions]::text[]) AS x(p) ORDER BY ${boxKeySql('p')} COLLATE "C", p COLLATE "C"`,
			{ replacements: { positions }, type: QueryTypes.SELECT }
		);
		const js = [...positions].sort((a, b) => compareBoxPositions(a, b) || (a < b ? -1 : a > b ? 1 : 0));
		expect(rows.map((r) => r.p)).toEqual(js);
	});
});

describe('downloads share the pool with bookings', () => {
	it('R-S10 R-O01 at most 3 downloads stream at once per node; the 4th is told to come back (429); a cancelled download frees its place', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const open = [];
		for (let i = 0; i < 3; i++) open.push(await exportList(ctx, clerk, base({})));
		await expect(exportList(ctx, clerk, base({}))).rejects.toMatchObject({ status: 429, message: expect.stringContaining('混み合っています') });
		await open[0].body.cancel();
		const next = await exportList(ctx, clerk, base({}));
		expect((await bytes(next.body)).length).toBeGreaterThan(100);
		for (const l of open.slice(1)) await bytes(l.body);
	});
});

describe('GET /api/v1/staff/lists/{kind}', () => {
	const call = (kind: string, query: string, p: Principal | null) =>
		GET({
			params: { kind },
			url: new URL(`http://localhost/api/v1/staff/lists/${kind}?${query}`),
			locals: { principal: p, lang: 'ja' },
			getClientAddress: () => '127.0.0.1'
		} as unknown as Parameters<typeof GET>[0]) as Promise<Response>;

	it('R-S10 the file comes with a Japanese file name (filename*), no-store, and the CSV content type', async () => {
		setAppContext(testContext(t.db, { now: NOW }).ctx);
		const res = await call('reservations', `locationId=${main.id}&from=2026-12-07&to=2026-12-08&format=csv&encoding=shift_jis`, clerk);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/csv; charset=Shift_JIS');
		expect(res.headers.get('cache-control')).toBe('no-store');
		const cd = res.headers.get('content-disposition')!;
		expect(cd).toContain('filename="reservations_2026-12-07_2026-12-08.csv"');
		expect(decodeURIComponent(cd.split("filename*=UTF-8''")[1])).toBe('予約一覧_市役所本庁舎_2026-12-07_2026-12-08.csv');
		expect(iconv.decode(Buffer.from(await res.arrayBuffer()), 'cp932')).toContain('山田 花子');
	});

	it('R-S10 bad parameters are 400 problem+json naming the field; an unknown kind names "kind"', async () => {
		setAppContext(testContext(t.db, { now: NOW }).ctx);
		for (const [kind, q, field] of [
			['reservations', 'from=2026-13-01', 'from'],
			['reservations', 'from=2026-12-01&format=xls', 'format'],
			['reservations', 'from=2026-12-01&encoding=euc-jp', 'encoding'],
			['reservations', 'from=2026-12-01&locationId=abc', 'locationId'],
			['reservations', 'from=2026-12-01&to=2027-12-01', 'to'],
			['reservations', 'from=2026-12-01&sort=name', 'sort'],
			['everything', 'from=2026-12-01', 'kind']
		] as const) {
			const res = await call(kind, q, clerk);
			expect(res.status, q).toBe(400);
			expect(res.headers.get('content-type')).toContain('application/problem+json');
			const body = await res.json();
			expect(body.errors.map((e: { field: string }) => e.field).join(','), q).toContain(field);
		}
		expect((await call('pull', 'from=2026-12-01', null)).status).toBe(401);
	});
});
