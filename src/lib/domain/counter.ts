/**
 * Pure rules of the counter (R-S15, R-S14): what a QR reader or a clerk typed, which day a visit
 * may be checked in on, and how long a 交付済 may be taken back. Clock and settings are arguments.
 */

/** How long after 交付済 a clerk may still undo it (a mis-click), in minutes. */
export const UNDO_ISSUE_MINUTES = 10;

/** Full-width ASCII (Ｍ，１) to half-width: a reader typing through an IME in full-width mode sends these. */
export function toHalfWidth(s: string): string {
	return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Hiragana to katakana, so 「やまだ」 finds 「ヤマダ タロウ」. */
export function toKatakana(s: string): string {
	return s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Name kana as compared in searches: katakana, no spaces of either width. */
export function kanaKey(s: string): string {
	return toKatakana(toHalfWidth(s)).replace(/\s+/g, '');
}

export type SearchTerm =
	| { kind: 'empty' }
	| { kind: 'checkinCode'; code: string }
	| { kind: 'number'; bookingNumber: string | null; noticeId: string }
	| { kind: 'noticeId'; noticeId: string }
	| { kind: 'kana'; kana: string };

/**
 * What a clerk typed into the one search box: a QR code, a booking number (1234-5678 or
 * 12345678, which may also be a notice ID), a notice ID (letters, digits, hyphens ignored) or a
 * name in kana. Anything else is searched as kana and finds nothing.
 */
export function classifySearch(raw: string): SearchTerm {
	const s = toHalfWidth(String(raw ?? '')).trim();
	if (!s) return { kind: 'empty' };
	const compact = s.replace(/\s+/g, '').toUpperCase();
	if (/^MN[0-9A-F]{32}$/.test(compact)) return { kind: 'checkinCode', code: compact };
	if (/^\d{4}-?\d{4}$/.test(compact)) {
		const digits = compact.replace('-', '');
		return { kind: 'number', bookingNumber: `${digits.slice(0, 4)}-${digits.slice(4)}`, noticeId: digits };
	}
	if (/^[0-9A-Z-]{1,24}$/.test(compact) && /\d/.test(compact)) return { kind: 'noticeId', noticeId: compact.replace(/-/g, '').slice(0, 20) };
	return { kind: 'kana', kana: kanaKey(s) };
}

/** Why a visit on `visitDate` cannot be checked in on `today` (both YYYY-MM-DD in Tokyo), or null when it can. */
export function checkInDayProblem(visitDate: string, today: string): 'future' | 'past' | null {
	if (visitDate === today) return null;
	return visitDate > today ? 'future' : 'past';
}

/** True while a 交付済 recorded at `issuedAt` may still be undone at `now`. */
export function canUndoIssue(issuedAt: Date, now: Date, minutes = UNDO_ISSUE_MINUTES): boolean {
	const age = now.getTime() - issuedAt.getTime();
	return age >= 0 && age <= minutes * 60_000;
}
