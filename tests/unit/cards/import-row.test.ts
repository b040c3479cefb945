import { describe, expect, it } from 'vitest';
import { mapHeader, validateRow, IMPORT_COLUMNS } from '../../../src/lib/domain/cards/import-row.ts';
import { normalizeKana, normalizeNoticeId, parseGender, resolveStorageLocation } from '../../../src/lib/domain/cards/fields.ts';

const locations = [
	{ id: 1, code: 'honcho', nameJa: '市役所本庁舎' },
	{ id: 2, code: 'kita', nameJa: '北支所' }
];
const rules = { locations, today: '2026-11-24' };
const HEADER = IMPORT_COLUMNS.map((c) => c.header);
const good = ['A-0001-0002', '見本 太郎', 'ミホン タロウ', '昭和60年1月2日', '男', '見本市1-2-3', '北支所', '箱1-001', '2026/11/20'];

describe('card import row rules', () => {
	it('R-S02 columns are matched by Japanese header in any order; unknown columns reported, missing required ones refused', () => {
		const m = mapHeader(['氏名カナ', '\uFEFF交付通知書番号', '備考', '生年月日', '保管場所', '氏名']);
		expect(m.errors).toEqual([]);
		expect(m.unknown).toEqual(['備考']);
		expect(m.index).toMatchObject({ nameKana: 0, noticeId: 1, birthDate: 3, storage: 4, nameKanji: 5 });
		const missing = mapHeader(['交付通知書番号', '氏名']);
		expect(missing.errors.map((e) => e.message)).toEqual(['必須の列「氏名カナ」がありません', '必須の列「生年月日」がありません', '必須の列「保管場所」がありません']);
		expect(mapHeader([...HEADER, '氏名']).errors[0].message).toBe('列「氏名」が2回あります');
	});

	it('R-S02 R-S03 a good row becomes a normalised card: hyphens dropped, 和暦 converted, location by name or code', () => {
		const r = validateRow(good, mapHeader(HEADER), rules);
		expect(r).toEqual({
			ok: true,
			row: { noticeId: 'A00010002', nameKanji: '見本 太郎', nameKana: 'ミホン タロウ', birthDate: '1985-01-02', gender: 1, address: '見本市1-2-3', storageLocationId: 2, boxPosition: '箱1-001', noticeSentOn: '2026-11-20' }
		});
		const byCode = validateRow(good.map((v, i) => (i === 6 ? 'HONCHO' : v)), mapHeader(HEADER), rules);
		expect(byCode.ok && byCode.row.storageLocationId).toBe(1);
	});

	it('R-S02 every problem of a bad row is reported with its column', () => {
		const bad = ['A-0001-0002-0003-0004-0005', '', 'mihon', '2030/01/01', '不明', 'x'.repeat(201), '西支所', 'y'.repeat(41), '明日'];
		const r = validateRow(bad, mapHeader(HEADER), rules);
		expect(r.ok).toBe(false);
		if (r.ok) return;
		expect(r.errors.map((e) => e.column)).toEqual(['交付通知書番号', '氏名', '氏名カナ', '生年月日', '性別', '住所', '保管場所', '保管位置', '通知書発送日']);
		expect(r.errors.find((e) => e.column === '保管場所')?.message).toContain('西支所');
		expect(r.errors.find((e) => e.column === '生年月日')?.message).toBe('生年月日が未来の日付です');
	});

	it('R-S02 optional columns may be absent or blank', () => {
		const m = mapHeader(['交付通知書番号', '氏名', '氏名カナ', '生年月日', '保管場所']);
		const r = validateRow(['123', '見本 次郎', 'ﾐﾎﾝ ｼﾞﾛｳ', '1990-03-04', 'kita'], m, rules);
		expect(r).toMatchObject({ ok: true, row: { nameKana: 'ミホン ジロウ', gender: null, address: '', boxPosition: '', noticeSentOn: null } });
	});

	it('R-S02 field normalisers: notice ID, kana (half-width, hiragana, full-width space), gender, storage', () => {
		expect(normalizeNoticeId('ａ１２－３４')).toBe('A1234');
		expect(normalizeNoticeId('12 34-56')).toBe('123456');
		expect(normalizeNoticeId('1'.repeat(21))).toBeNull();
		expect(normalizeNoticeId('12#4')).toBeNull();
		expect(normalizeKana('ﾐﾎﾝ　ﾀﾛｳ')).toBe('ミホン タロウ');
		expect(normalizeKana('みほん たろう')).toBe('ミホン タロウ');
		expect(normalizeKana('ヴァン・デル ルー')).toBe('ヴァン・デル ルー');
		expect(normalizeKana('見本')).toBeNull();
		expect(normalizeKana('MIHON')).toBeNull();
		expect([parseGender('男'), parseGender('2'), parseGender(''), parseGender('x')]).toEqual([1, 2, null, undefined]);
		expect(resolveStorageLocation('Kita', locations)?.id).toBe(2);
		expect(resolveStorageLocation('南支所', locations)).toBeNull();
	});
});
