/**
 * Dates as they appear in card creation data (R-S02): 1985/01/02, 1985-01-02, 1985年1月2日,
 * 19850102, and 和暦 such as 昭和60年1月2日, 平成元年1月8日 or S60.1.2. Full-width digits are
 * accepted. A 和暦 date must fall inside its era (平成31年5月1日 is 令和元年5月1日 and is refused).
 */
export interface Era {
	name: string;
	letter: string;
	/** first day of the era, YYYY-MM-DD */
	start: string;
}

export const ERAS: readonly Era[] = [
	{ name: '明治', letter: 'M', start: '1868-10-23' },
	{ name: '大正', letter: 'T', start: '1912-07-30' },
	{ name: '昭和', letter: 'S', start: '1926-12-25' },
	{ name: '平成', letter: 'H', start: '1989-01-08' },
	{ name: '令和', letter: 'R', start: '2019-05-01' }
];

export type DateResult = { ok: true; value: string } | { ok: false; message: string };

const pad = (n: number) => String(n).padStart(2, '0');

function calendarDate(y: number, m: number, d: number): string | null {
	if (!Number.isInteger(y) || y < 1 || m < 1 || m > 12 || d < 1 || d > 31) return null;
	const t = new Date(Date.UTC(y, m - 1, d));
	if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
	return `${String(y).padStart(4, '0')}-${pad(m)}-${pad(d)}`;
}

const WESTERN = /^(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const WAREKI = /^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?$/;

const FORMAT_HINT = '日付は 1985/01/02、1985-01-02 または 昭和60年1月2日 の形で入力してください';

/** Parses one date; the message says what was wrong, in Japanese. */
export function parseJapaneseDate(input: string): DateResult {
	const s = input.normalize('NFKC').trim().toUpperCase();
	if (s === '') return { ok: false, message: '日付が空です' };
	let m = WESTERN.exec(s) ?? COMPACT.exec(s);
	if (m) {
		const v = calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
		return v ? { ok: true, value: v } : { ok: false, message: `存在しない日付です（${input.trim()}）` };
	}
	m = WAREKI.exec(s);
	if (m) {
		const idx = ERAS.findIndex((e) => e.name === m![1] || e.letter === m![1]);
		const era = ERAS[idx];
		const n = m[2] === '元' ? 1 : Number(m[2]);
		if (n < 1) return { ok: false, message: `和暦の年が正しくありません（${input.trim()}）` };
		const year = Number(era.start.slice(0, 4)) + n - 1;
		const v = calendarDate(year, Number(m[3]), Number(m[4]));
		if (!v) return { ok: false, message: `存在しない日付です（${input.trim()}）` };
		const next = ERAS[idx + 1];
		if (v < era.start || (next && v >= next.start)) {
			return { ok: false, message: `${era.name}${m[2] === '元' ? '元' : n}年${Number(m[3])}月${Number(m[4])}日は${era.name}の期間外です` };
		}
		return { ok: true, value: v };
	}
	return { ok: false, message: `${FORMAT_HINT}（${input.trim().slice(0, 20)}）` };
}
