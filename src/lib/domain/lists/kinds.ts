/**
 * The printed and exported lists (R-S10, R-S11, R-S13): their kinds, Japanese titles, columns,
 * file names and the range rule. No I/O.
 */
import { daysBetween, isDate, type DateStr } from '../schedule/time.ts';

export const LIST_KINDS = ['reservations', 'pull', 'transfer', 'no-shows'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const LIST_FORMATS = ['csv', 'pdf'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];
export const LIST_ENCODINGS = ['utf-8', 'shift_jis'] as const;
export type ListEncoding = (typeof LIST_ENCODINGS)[number];

export function isListKind(v: unknown): v is ListKind {
	return typeof v === 'string' && (LIST_KINDS as readonly string[]).includes(v);
}

/** A range longer than this is refused: a list of a whole quarter is the most anyone prints. */
export const MAX_RANGE_DAYS = 93;

export interface ListColumn {
	header: string;
	/** share of the printable width in the PDF */
	width: number;
}

export interface ListSpec {
	kind: ListKind;
	titleJa: string;
	titleEn: string;
	columns: readonly ListColumn[];
}

const col = (header: string, width: number): ListColumn => ({ header, width });

export const LIST_SPECS: Record<ListKind, ListSpec> = {
	reservations: {
		kind: 'reservations',
		titleJa: '予約一覧',
		titleEn: 'Reservations',
		// 予約の状態: the visit's, read from its persons; 状態: this person's own (R-S10)
		columns: [col('日付', 9), col('時間', 5), col('予約番号', 9), col('氏名', 13), col('氏名カナ', 12), col('交付通知書番号', 12), col('人数/目的', 12), col('予約の状態', 13), col('状態', 9), col('来庁', 6)]
	},
	pull: {
		kind: 'pull',
		titleJa: '引き抜きリスト',
		titleEn: 'Pull list',
		columns: [col('保管場所', 14), col('保管位置', 11), col('交付通知書番号', 12), col('氏名', 15), col('氏名カナ', 17), col('来庁日時', 15), col('交付場所', 14)]
	},
	transfer: {
		kind: 'transfer',
		titleJa: '回送リスト',
		titleEn: 'Transfer list',
		columns: [col('保管場所', 14), col('回送先(交付場所)', 14), col('来庁日', 10), col('発送期限日', 10), col('交付通知書番号', 13), col('氏名', 16), col('保管位置', 11)]
	},
	'no-shows': {
		kind: 'no-shows',
		titleJa: '未来庁リスト',
		titleEn: 'No-show list',
		columns: [col('日付', 10), col('時間', 7), col('予約番号', 11), col('氏名', 17), col('氏名カナ', 19), col('連絡先メールの有無', 14), col('フォローアップ送信', 14)]
	}
};

export interface ListRangeError {
	field: 'from' | 'to';
	message: string;
}

/** Both dates real, from ≤ to, at most MAX_RANGE_DAYS days (both included). */
export function checkRange(from: DateStr, to: DateStr): ListRangeError | null {
	if (!isDate(from)) return { field: 'from', message: '開始日を YYYY-MM-DD で指定してください。' };
	if (!isDate(to)) return { field: 'to', message: '終了日を YYYY-MM-DD で指定してください。' };
	const days = daysBetween(from, to) + 1;
	if (days < 1) return { field: 'to', message: '終了日は開始日以降の日付にしてください。' };
	if (days > MAX_RANGE_DAYS) return { field: 'to', message: `期間は${MAX_RANGE_DAYS}日以内で指定してください（指定された期間は${days}日です）。` };
	return null;
}

/** '予約一覧_本庁舎_2026-11-25_2026-11-30.csv'; path separators and control characters never reach it. */
export function listFileName(kind: ListKind, locationName: string, from: DateStr, to: DateStr, format: ListFormat): string {
	const range = from === to ? from : `${from}_${to}`;
	const place = locationName.replace(/[\\/:*?"<>|\p{Cc}\s]+/gu, '').slice(0, 40);
	return `${LIST_SPECS[kind].titleJa}_${place ? `${place}_` : ''}${range}.${format}`;
}

/** The ASCII fallback for clients that ignore filename*. */
export function asciiFileName(kind: ListKind, from: DateStr, to: DateStr, format: ListFormat): string {
	return `${kind}_${from === to ? from : `${from}_${to}`}.${format}`;
}

/** Pages a list of `rows` rows takes at `perPage` rows a page; an empty list still prints one page. */
export function pageCount(rows: number, perPage: number): number {
	return Math.max(1, Math.ceil(rows / perPage));
}

/** 'Content-Disposition' with the Japanese name (RFC 6266 / 5987) and an ASCII fallback. */
export function contentDisposition(fileName: string, ascii: string): string {
	const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
