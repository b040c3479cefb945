/**
 * One row of card creation data (カード作成情報, R-S02/R-S03): the columns, matched by their
 * Japanese header names in any order, and the rules every value must pass. Pure: the known
 * storage locations and today's date (Asia/Tokyo) are arguments.
 */
import { parseJapaneseDate } from './dates.ts';
import { charLength, normalizeKana, normalizeNoticeId, parseGender, resolveStorageLocation, type StorageLocationRef } from './fields.ts';

export const IMPORT_COLUMNS = [
	{ key: 'noticeId', header: '交付通知書番号', required: true },
	{ key: 'nameKanji', header: '氏名', required: true },
	{ key: 'nameKana', header: '氏名カナ', required: true },
	{ key: 'birthDate', header: '生年月日', required: true },
	{ key: 'gender', header: '性別', required: false },
	{ key: 'address', header: '住所', required: false },
	{ key: 'storage', header: '保管場所', required: true },
	{ key: 'boxPosition', header: '保管位置', required: false },
	{ key: 'noticeSentOn', header: '通知書発送日', required: false }
] as const;

export type ColumnKey = (typeof IMPORT_COLUMNS)[number]['key'];
/** The fields an import may set; a column absent from the file leaves that field as it is. */
export type OptionalField = 'gender' | 'address' | 'boxPosition' | 'noticeSentOn';

export interface HeaderMap {
	/** column key → index in the row */
	index: Partial<Record<ColumnKey, number>>;
	unknown: string[];
	errors: { column: string; message: string }[];
}

const normHeader = (h: string) => h.normalize('NFKC').replace(/^\uFEFF/, '').replace(/\s+/g, '');

export interface ColumnSpec<K extends string> {
	key: K;
	header: string;
	required: boolean;
}

/** Matches a header row against `columns`; missing required columns and repeated columns are errors, unknown ones are reported. */
export function mapColumns<K extends string>(header: readonly string[], columns: readonly ColumnSpec<K>[]) {
	const index: Partial<Record<K, number>> = {};
	const unknown: string[] = [];
	const errors: { column: string; message: string }[] = [];
	header.forEach((raw, i) => {
		const h = normHeader(raw);
		const col = columns.find((c) => normHeader(c.header) === h);
		if (!col) {
			if (h !== '') unknown.push(raw.trim());
			return;
		}
		if (index[col.key] !== undefined) errors.push({ column: col.header, message: `列「${col.header}」が2回あります` });
		else index[col.key] = i;
	});
	for (const c of columns) {
		if (c.required && index[c.key] === undefined) errors.push({ column: c.header, message: `必須の列「${c.header}」がありません` });
	}
	return { index, unknown, errors };
}

/** The card creation data header. */
export function mapHeader(header: readonly string[]): HeaderMap {
	return mapColumns(header, IMPORT_COLUMNS);
}

export interface CardRow {
	noticeId: string;
	birthDate: string;
	nameKanji: string;
	nameKana: string;
	gender: 1 | 2 | null;
	address: string;
	storageLocationId: number;
	boxPosition: string;
	noticeSentOn: string | null;
}

export interface RowRules {
	locations: readonly StorageLocationRef[];
	/** today in Asia/Tokyo, YYYY-MM-DD: birth dates and sending dates cannot be later */
	today: string;
}

export type RowResult = { ok: true; row: CardRow } | { ok: false; errors: { column: string; message: string }[] };

const LIMITS = { nameKanji: 100, nameKana: 100, address: 200, boxPosition: 40 } as const;

/** Validates one data row against the header map; every problem of the row is reported, not only the first. */
export function validateRow(values: readonly string[], map: HeaderMap, rules: RowRules): RowResult {
	const errors: { column: string; message: string }[] = [];
	const get = (k: ColumnKey) => {
		const i = map.index[k];
		return i === undefined ? '' : (values[i] ?? '').trim();
	};
	const bad = (header: string, message: string) => errors.push({ column: header, message });

	const rawNotice = get('noticeId');
	const noticeId = normalizeNoticeId(rawNotice);
	if (rawNotice === '') bad('交付通知書番号', '交付通知書番号が空です');
	else if (!noticeId) bad('交付通知書番号', '交付通知書番号は英数字20文字以内で入力してください（ハイフンは除きます）');

	const nameKanji = get('nameKanji').normalize('NFKC').replace(/\s+/g, ' ');
	if (nameKanji === '') bad('氏名', '氏名が空です');
	else if (charLength(nameKanji) > LIMITS.nameKanji) bad('氏名', `氏名は${LIMITS.nameKanji}文字以内で入力してください`);

	const rawKana = get('nameKana');
	const nameKana = normalizeKana(rawKana);
	if (rawKana === '') bad('氏名カナ', '氏名カナが空です');
	else if (!nameKana) bad('氏名カナ', '氏名カナはカタカナで入力してください');
	else if (charLength(nameKana) > LIMITS.nameKana) bad('氏名カナ', `氏名カナは${LIMITS.nameKana}文字以内で入力してください`);

	let birthDate = '';
	const b = parseJapaneseDate(get('birthDate'));
	if (!b.ok) bad('生年月日', `生年月日: ${b.message}`);
	else if (b.value > rules.today) bad('生年月日', '生年月日が未来の日付です');
	else if (b.value < '1900-01-01') bad('生年月日', '生年月日が古すぎます（1900年以降）');
	else birthDate = b.value;

	const gender = parseGender(get('gender'));
	if (gender === undefined) bad('性別', '性別は 男・女（または 1・2）で入力してください');

	const address = get('address').normalize('NFKC');
	if (charLength(address) > LIMITS.address) bad('住所', `住所は${LIMITS.address}文字以内で入力してください`);

	const rawStorage = get('storage');
	const storage = resolveStorageLocation(rawStorage, rules.locations);
	if (rawStorage === '') bad('保管場所', '保管場所が空です');
	else if (!storage) bad('保管場所', `保管場所「${rawStorage.slice(0, 40)}」は登録されていません（場所のコードか名称で入力してください）`);

	const boxPosition = get('boxPosition').normalize('NFKC');
	if (charLength(boxPosition) > LIMITS.boxPosition) bad('保管位置', `保管位置は${LIMITS.boxPosition}文字以内で入力してください`);

	let noticeSentOn: string | null = null;
	const rawSent = get('noticeSentOn');
	if (rawSent !== '') {
		const d = parseJapaneseDate(rawSent);
		if (!d.ok) bad('通知書発送日', `通知書発送日: ${d.message}`);
		else if (d.value > rules.today) bad('通知書発送日', '通知書発送日が未来の日付です');
		else noticeSentOn = d.value;
	}

	if (errors.length) return { ok: false, errors };
	return {
		ok: true,
		row: { noticeId: noticeId!, birthDate, nameKanji, nameKana: nameKana!, gender: gender ?? null, address, storageLocationId: storage!.id, boxPosition, noticeSentOn }
	};
}

/** The key that identifies a card record: 交付通知書番号 + 生年月日. */
export const cardKey = (r: { noticeId: string; birthDate: string }) => `${r.noticeId}|${r.birthDate}`;
