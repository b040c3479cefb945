/**
 * Field rules of a card record (R-S02, R-S03), shared by the import and the staff forms.
 * Pure: no I/O; the known storage locations and today's date are arguments.
 */

/** 交付通知書番号: letters and digits, hyphens (and spaces) ignored, at most 20. Returns null when invalid. */
export function normalizeNoticeId(input: string): string | null {
	const s = input.normalize('NFKC').replace(/[\s\-‐‑–—−ー]/g, '').toUpperCase();
	return /^[A-Z0-9]{1,20}$/.test(s) ? s : null;
}

const HIRAGANA = /[\u3041-\u3096]/g;

/**
 * 氏名カナ in one form: full-width katakana (half-width kana and hiragana converted), one
 * ASCII space between words. Returns null when anything but kana, ー, ・ and spaces remains.
 */
export function normalizeKana(input: string): string | null {
	const s = input
		.normalize('NFKC')
		.replace(HIRAGANA, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
		.replace(/[\s\u3000]+/g, ' ')
		.trim();
	if (s === '') return null;
	return /^[\u30A1-\u30FA\u30FC\u30FB ]+$/.test(s) ? s : null;
}

/** A kana prefix typed into a search box, in the stored form; '' when nothing usable. */
export function kanaSearchPrefix(input: string): string {
	return (normalizeKana(input) ?? '').trimEnd();
}

/** 性別: 男/女 (or 1/2, or M/F) → 1/2; blank → null; anything else → undefined (invalid). */
export function parseGender(input: string): 1 | 2 | null | undefined {
	const s = input.normalize('NFKC').trim().toUpperCase();
	if (s === '') return null;
	if (s === '男' || s === '1' || s === 'M' || s === '男性') return 1;
	if (s === '女' || s === '2' || s === 'F' || s === '女性') return 2;
	return undefined;
}

export const GENDER_LABEL: Record<1 | 2, string> = { 1: '男', 2: '女' };

export interface StorageLocationRef {
	id: number;
	code: string;
	nameJa: string;
}

/** 保管場所: a location's code (case-insensitive) or its Japanese name. */
export function resolveStorageLocation(input: string, locations: readonly StorageLocationRef[]): StorageLocationRef | null {
	const s = input.normalize('NFKC').trim();
	if (s === '') return null;
	const lower = s.toLowerCase();
	return locations.find((l) => l.code.toLowerCase() === lower) ?? locations.find((l) => l.nameJa.normalize('NFKC') === s) ?? null;
}

/** Length in characters as Postgres counts them (code points), not UTF-16 units. */
export const charLength = (s: string) => [...s].length;
