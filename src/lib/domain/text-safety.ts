/**
 * The one rule for control characters in what people type or import (R-O04). Refused everywhere:
 * C0 controls but tab, LF and CR; DEL; C1 controls; the bidi embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069) that make a name or a file name read differently from what it is.
 * Tab and line breaks (also U+2028/2029) are refused too where the text is one line — names, IDs,
 * codes, labels, addresses of mail, subjects — and allowed where multi-line text is (notes, bodies).
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const BREAKS = /[\t\n\r\u2028\u2029]/;

export const CONTROL_CHAR_MESSAGE = {
	ja: '使えない制御文字が含まれています（改行・タブ以外の制御文字や、文字の向きを変える記号など）',
	en: 'Contains control characters that are not allowed (other than line breaks and tabs, or marks that change the direction of text)'
} as const;
export const LINE_BREAK_MESSAGE = {
	ja: '改行やタブは入力できません（1行で入力してください）',
	en: 'Line breaks and tabs are not allowed here (one line only)'
} as const;

/** Field names that hold one line: names, IDs, codes, labels, addresses, subjects, search words. */
const SINGLE_LINE = /(^|[a-z_])(name|label|login|userid|code|email|subject|title|noticeid|bookingnumber|position|q|lang|token)(ja|en|kanji|kana)?$/i;

export function isSingleLineField(name: string): boolean {
	return SINGLE_LINE.test(name.replace(/[\d_-]+$/, ''));
}

/** What is wrong with a text, or null: `multiline` allows tab and line breaks. */
export function controlCharProblem(value: string, multiline: boolean): { ja: string; en: string } | null {
	if (FORBIDDEN.test(value)) return CONTROL_CHAR_MESSAGE;
	if (!multiline && BREAKS.test(value)) return LINE_BREAK_MESSAGE;
	return null;
}

/**
 * The first string in a parsed body (JSON, a form, a query) that breaks the rule, with its path
 * (`persons.0.noticeId`). A string is one line when its own field name, or any above it, says so.
 */
export function findControlChars(value: unknown, path: (string | number)[] = [], single = false): { field: string; problem: { ja: string; en: string } } | null {
	if (typeof value === 'string') {
		const problem = controlCharProblem(value, !single);
		return problem ? { field: path.join('.') || '(body)', problem } : null;
	}
	if (Array.isArray(value)) {
		for (const [i, v] of value.entries()) {
			const r = findControlChars(v, [...path, i], single);
			if (r) return r;
		}
		return null;
	}
	if (value && typeof value === 'object') {
		for (const [k, v] of Object.entries(value)) {
			const keyProblem = controlCharProblem(k, false);
			if (keyProblem) return { field: [...path, '(key)'].join('.'), problem: keyProblem };
			const r = findControlChars(v, [...path, k], single || isSingleLineField(k));
			if (r) return r;
		}
	}
	return null;
}
