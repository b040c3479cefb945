import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import iconv from 'iconv-lite';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { importCards, sampleCsv } from '../../src/lib/server/cards/import.ts';
import { cardHistory } from '../../src/lib/server/cards/status.ts';
import type { EncodingChoice } from '../../src/lib/server/cards/csv-input.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
let place: { id: number; code: string; nameJa: string };
let other: { id: number; code: string; nameJa: string };
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'card_import');
	place = await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	other = await makeLocation(t.db, { code: 'kita', nameJa: '北支所' });
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T01:00:00Z');
const HEADER = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

/** The bytes in small chunks, so multibyte characters and records are split across chunks as on a real upload. */
async function* chunks(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
	for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const utf8 = (s: string) => new TextEncoder().encode(s);

async function run(csv: Uint8Array | string, opts: { encoding?: EncodingChoice; role?: Role } = {}) {
	const { ctx } = testContext(t.db, { now: NOW });
	const who = await principal(opts.role ?? 'clerk');
	return importCards(ctx, who, { body: chunks(typeof csv === 'string' ? utf8(csv) : csv), encoding: opts.encoding ?? 'auto' });
}

async function failure(csv: Uint8Array | string, opts: { encoding?: EncodingChoice } = {}) {
	const e = await run(csv, opts).then(
		() => null,
		(err) => err
	);
	expect(e, 'the import should have been refused').not.toBeNull();
	expect(e.status).toBe(422);
	return e.extra as { errors: { line: number; column: string | null; message: string }[]; errorCount: number; unknownColumns: string[] };
}

async function tableCounts() {
	const [r] = await t.db.sequelize.query<{ cards: number; changes: number; imports: number }>(
		`SELECT (SELECT count(*)::int FROM card_records) AS cards, (SELECT count(*)::int FROM card_record_changes) AS changes,
		        (SELECT count(*)::int FROM audit_log WHERE action = 'cards.imported') AS imports`,
		{ type: QueryTypes.SELECT }
	);
	return r;
}

const row = (n: string, over: Partial<Record<'name' | 'kana' | 'birth' | 'gender' | 'address' | 'storage' | 'box' | 'sent', string>> = {}) =>
	[n, over.name ?? '見本 太郎', over.kana ?? 'ミホン タロウ', over.birth ?? '1985/01/02', over.gender ?? '男', over.address ?? '見本市1-2-3', over.storage ?? '市役所本庁舎', over.box ?? '箱1-001', over.sent ?? '2026/11/20'].join(',');

describe('card data import', () => {
	it('R-S02 R-S03 a good file creates every card with its storage location and position; the audit row has counts only', async () => {
		const before = await tableCounts();
		const csv = [HEADER, row('G-0001'), row('G-0002', { kana: 'ﾐﾎﾝ ﾊﾅｺ', birth: '昭和60年1月2日', gender: '2', storage: 'kita', box: '箱2-010' }), row('G-0003', { gender: '', sent: '' })].join('\r\n') + '\r\n';
		const r = await run(csv);
		expect(r).toMatchObject({ created: 3, updated: 0, unchanged: 0, rows: 3, encoding: 'utf-8', unknownColumns: [] });
		const c2 = await t.db.models.CardRecord.findOne({ where: { noticeId: 'G0002' } });
		expect(c2).toMatchObject({ birthDate: '1985-01-02', nameKana: 'ミホン ハナコ', gender: 2, storageLocationId: other.id, boxPosition: '箱2-010', noticeSentOn: '2026-11-20', status: 'notice_sent' });
		const c3 = await t.db.models.CardRecord.findOne({ where: { noticeId: 'G0003' } });
		expect(c3).toMatchObject({ gender: null, noticeSentOn: null, storageLocationId: place.id });
		const after = await tableCounts();
		expect(after.cards - before.cards).toBe(3);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'cards.imported' }, order: [['id', 'DESC']] });
		expect(log?.detail).toEqual({ rows: 3, created: 3, updated: 0, unchanged: 0, encoding: 'utf-8' });
		expect(JSON.stringify(log?.detail)).not.toMatch(/G000|見本|ミホン|1985/);
	});

	it('R-S02 the sample file offered for download imports as it is', async () => {
		const r = await run(utf8(sampleCsv(place)));
		expect(r).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
	});

	it('R-S02 a Shift_JIS file imports, detected and chosen', async () => {
		const csv = [HEADER, row('S-0001', { name: '髙橋 﨑子', kana: 'タカハシ サキコ', address: '見本市①番地' }), row('S-0002')].join('\r\n');
		const sjis = iconv.encode(csv, 'cp932');
		expect(await run(sjis)).toMatchObject({ created: 2, encoding: 'shift_jis' });
		const c = await t.db.models.CardRecord.findOne({ where: { noticeId: 'S0001' } });
		expect(c).toMatchObject({ nameKanji: '髙橋 﨑子', address: '見本市1番地' });
		const again = iconv.encode([HEADER, row('S-0003')].join('\r\n'), 'cp932');
		expect(await run(again, { encoding: 'shift_jis' })).toMatchObject({ created: 1, encoding: 'shift_jis' });
	});

	it('R-S02 a UTF-8 file with a BOM imports (the BOM does not spoil the first header)', async () => {
		const r = await run('\uFEFF' + [HEADER, row('B-0001')].join('\n'));
		expect(r).toMatchObject({ created: 1, encoding: 'utf-8', unknownColumns: [] });
		expect(await run('\uFEFF' + [HEADER, row('B-0002')].join('\n'), { encoding: 'utf-8' })).toMatchObject({ created: 1 });
	});

	it('R-S02 a Shift_JIS file read as UTF-8 is refused with a line number, not imported as garbage', async () => {
		const sjis = iconv.encode([HEADER, row('X-0001')].join('\r\n'), 'cp932');
		const before = await tableCounts();
		const f = await failure(sjis, { encoding: 'utf-8' });
		expect(f.errors[0]).toMatchObject({ line: 1 });
		expect(await tableCounts()).toEqual(before);
	});

	it('R-S02 columns in another order and an unknown column: imported, the unknown column reported', async () => {
		const csv = ['備考,保管場所,生年月日,氏名カナ,氏名,交付通知書番号', 'メモ,北支所,1990-03-04,ミホン ジロウ,見本 次郎,O-0001'].join('\n');
		const r = await run(csv);
		expect(r).toMatchObject({ created: 1, unknownColumns: ['備考'] });
	});

	it('R-S02 和暦 dates of every era, 元年 and full-width digits import as calendar dates', async () => {
		const csv = [
			HEADER,
			row('W-0001', { birth: '昭和60年1月2日' }),
			row('W-0002', { birth: '平成元年1月8日' }),
			row('W-0003', { birth: '令和2年２月２９日' }),
			row('W-0004', { birth: '大正15年12月24日' }),
			row('W-0005', { birth: 'S64.1.7' }),
			row('W-0006', { birth: '1985-01-02', sent: '令和8年11月1日' })
		].join('\n');
		expect(await run(csv)).toMatchObject({ created: 6 });
		const got = await t.db.models.CardRecord.findAll({ where: { noticeId: ['W0001', 'W0002', 'W0003', 'W0004', 'W0005', 'W0006'] }, order: [['noticeId', 'ASC']] });
		expect(got.map((c) => c.birthDate)).toEqual(['1985-01-02', '1989-01-08', '2020-02-29', '1926-12-24', '1989-01-07', '1985-01-02']);
		expect(got[5].noticeSentOn).toBe('2026-11-01');
	});

	it('R-S02 every kind of bad row is reported with its line number and column, and nothing is written', async () => {
		const before = await tableCounts();
		const lines = [
			HEADER, // 1
			row('E-0001'), // 2 good
			row('E-0002-TOO-LONG-NOTICE-ID-X'), // 3 notice ID
			row('E-0003', { name: '' }), // 4 name empty
			row('E-0004', { kana: 'mihon' }), // 5 kana
			row('E-0005', { birth: '1985/02/30' }), // 6 impossible date
			row('E-0006', { birth: '平成31年5月1日' }), // 7 和暦 out of era
			row('E-0007', { gender: '不明' }), // 8 gender
			row('E-0008', { storage: '西支所' }), // 9 unknown storage
			row('E-0009', { box: 'x'.repeat(41) }), // 10 length
			row('E-0010', { address: 'y'.repeat(201) }), // 11 length
			row('E-0011', { name: 'z'.repeat(101) }), // 12 length
			row('E-0012', { sent: '2027/01/01' }), // 13 future sending date
			'E-0013,見本,ミホン', // 14 column count
			row('E-0001'), // 15 duplicate of line 2
			row('E-0016', { address: 'NUL\u0000文字' }) // 16 a character Postgres cannot store
		];
		const f = await failure(lines.join('\n'));
		const at = (line: number) => f.errors.filter((e) => e.line === line);
		expect(at(2)).toEqual([]);
		expect(at(3)[0]).toMatchObject({ column: '交付通知書番号', message: expect.stringContaining('20文字以内') });
		expect(at(4)[0]).toMatchObject({ column: '氏名', message: '氏名が空です' });
		expect(at(5)[0]).toMatchObject({ column: '氏名カナ', message: expect.stringContaining('カタカナ') });
		expect(at(6)[0]).toMatchObject({ column: '生年月日', message: expect.stringContaining('存在しない日付') });
		expect(at(7)[0]).toMatchObject({ column: '生年月日', message: expect.stringContaining('平成の期間外') });
		expect(at(8)[0]).toMatchObject({ column: '性別' });
		expect(at(9)[0]).toMatchObject({ column: '保管場所', message: expect.stringContaining('西支所') });
		expect(at(10)[0]).toMatchObject({ column: '保管位置', message: expect.stringContaining('40文字以内') });
		expect(at(11)[0]).toMatchObject({ column: '住所', message: expect.stringContaining('200文字以内') });
		expect(at(12)[0]).toMatchObject({ column: '氏名', message: expect.stringContaining('100文字以内') });
		expect(at(13)[0]).toMatchObject({ column: '通知書発送日', message: expect.stringContaining('未来') });
		expect(at(14)[0]).toMatchObject({ column: null, message: expect.stringContaining('列の数（3）') });
		expect(at(15)[0]).toMatchObject({ column: '交付通知書番号', message: expect.stringContaining('2行目 と同じ') });
		expect(at(16)[0]).toMatchObject({ column: '住所', message: expect.stringContaining('制御文字') });
		expect(f.errorCount).toBe(14);
		expect(await tableCounts()).toEqual(before);
		expect(await t.db.models.CardRecord.count({ where: { noticeId: 'E0001' } })).toBe(0);
	});

	it('R-S02 line numbers count the lines of quoted fields that span lines', async () => {
		const csv = [HEADER, `Q-0001,見本 太郎,ミホン タロウ,1985/01/02,男,"見本市\n1-2\n3",市役所本庁舎,,`, row('Q-0002', { kana: 'bad' })].join('\n');
		const f = await failure(csv);
		// header line 1; Q-0001 spans lines 2–4; Q-0002 starts on line 5
		expect(f.errors).toEqual([{ line: 5, column: '氏名カナ', message: '氏名カナはカタカナで入力してください' }]);
	});

	it('R-S02 a broken file (missing header columns, unclosed quote, empty file) is refused with a line number', async () => {
		const missing = await failure('交付通知書番号,氏名\nA1,見本');
		expect(missing.errors.map((e) => e.line)).toEqual([1, 1, 1]);
		const quote = await failure([HEADER, row('U-0001'), 'U-0002,"見本,ミホン'].join('\n'));
		expect(quote.errors[0]).toMatchObject({ line: 3, message: expect.stringContaining('引用符') });
		expect((await failure('')).errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('空') });
		expect((await failure(HEADER + '\n')).errors[0]).toMatchObject({ line: 2, message: 'データの行がありません' });
	});

	it('R-S02 duplicates within the file (same notice ID + birth date, hyphens ignored) are refused; same notice ID with another birth date is a different card', async () => {
		const f = await failure([HEADER, row('D-0001'), row('D0001'), row('D-0001', { birth: '1990/01/01' })].join('\n'));
		expect(f.errors).toEqual([{ line: 3, column: '交付通知書番号', message: '交付通知書番号と生年月日が 2行目 と同じです（重複）' }]);
		expect(await run([HEADER, row('D-0001'), row('D-0001', { birth: '1990/01/01' })].join('\n'))).toMatchObject({ created: 2 });
	});

	it('R-S02 re-importing the same file changes nothing; a changed row updates the card and writes its change history', async () => {
		const file = [HEADER, row('R-0001'), row('R-0002'), row('R-0003')].join('\n');
		expect(await run(file)).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
		const snapshot = async () =>
			t.db.sequelize.query(`SELECT * FROM card_records WHERE notice_id LIKE 'R000%' ORDER BY id`, { type: QueryTypes.SELECT });
		const before = await snapshot();
		const counts = await tableCounts();
		expect(await run(file)).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
		expect(await snapshot()).toEqual(before);
		expect((await tableCounts()).changes).toBe(counts.changes);

		const changed = [HEADER, row('R-0001'), row('R-0002', { storage: '北支所', box: '箱9-999' }), row('R-0003'), row('R-0004')].join('\n');
		const clerk = await principal('clerk');
		const { ctx } = testContext(t.db, { now: NOW });
		expect(await importCards(ctx, clerk, { body: chunks(utf8(changed)), encoding: 'auto' })).toMatchObject({ created: 1, updated: 1, unchanged: 2 });
		const card = (await t.db.models.CardRecord.findOne({ where: { noticeId: 'R0002' } }))!;
		expect(card).toMatchObject({ storageLocationId: other.id, boxPosition: '箱9-999' });
		const changes = await t.db.models.CardRecord.sequelize!.query<{ actor_id: string; old_values: object; new_values: object }>(
			`SELECT actor_id, old_values, new_values FROM card_record_changes WHERE card_record_id = :id`,
			{ replacements: { id: card.id }, type: QueryTypes.SELECT }
		);
		expect(changes).toEqual([{ actor_id: clerk.login, old_values: { storageLocationId: place.id, boxPosition: '箱1-001' }, new_values: { storageLocationId: other.id, boxPosition: '箱9-999' } }]);
		const viewer = await principal('viewer');
		const h = await cardHistory(ctx, viewer, card.id);
		expect(h.history[0]).toMatchObject({ kind: 'data', actorId: clerk.login, fields: { boxPosition: ['箱1-001', '箱9-999'] } });
	});

	it('R-S02 a file without an optional column leaves that field as it is (not "changed" to blank)', async () => {
		await run([HEADER, row('P-0001', { address: '旧住所' })].join('\n'));
		const narrow = ['交付通知書番号,氏名,氏名カナ,生年月日,保管場所', 'P-0001,見本 太郎,ミホン タロウ,1985/01/02,市役所本庁舎'].join('\n');
		expect(await run(narrow)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
		expect((await t.db.models.CardRecord.findOne({ where: { noticeId: 'P0001' } }))?.address).toBe('旧住所');
	});

	it('R-S02 R-S01 a viewer may not import and no staff session is 401; nothing is read or written', async () => {
		const before = await tableCounts();
		await expect(run([HEADER, row('V-0001')].join('\n'), { role: 'viewer' })).rejects.toMatchObject({ status: 403 });
		const { ctx } = testContext(t.db, { now: NOW });
		await expect(importCards(ctx, null, { body: chunks(utf8(HEADER)), encoding: 'auto' })).rejects.toMatchObject({ status: 401 });
		expect(await tableCounts()).toEqual(before);
	});
});
