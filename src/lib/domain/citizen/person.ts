/**
 * What a citizen types for each person (R-C03): the 交付通知書番号 and the birth month and day as
 * the city's specification asks. Full-width or half-width digits, with or without hyphens or
 * spaces, are all accepted: a phone keyboard in Japanese mode types full-width.
 */

/** Upper-case ASCII letters and digits, at most 20; null when anything else remains. */
export function normaliseNoticeId(typed: string): string | null {
	const s = String(typed ?? '')
		.normalize('NFKC')
		.replace(/[\s\-‐‑‒–—―ー−]/g, '')
		.toUpperCase();
	return /^[0-9A-Z]{1,20}$/.test(s) ? s : null;
}

/**
 * "MM-DD" from 01-02, 0102, 1/2, 1月2日, ０１－０２ …; null when it is no day of any year
 * (02-29 is a day: people are born on it).
 */
export function normaliseMonthDay(typed: string): string | null {
	const s = String(typed ?? '').normalize('NFKC').trim();
	let m: RegExpExecArray | null;
	let month: number;
	let day: number;
	if ((m = /^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s))) {
		month = Number(m[1]);
		day = Number(m[2]);
	} else if ((m = /^(\d{2})(\d{2})$/.exec(s))) {
		month = Number(m[1]);
		day = Number(m[2]);
	} else return null;
	const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
	if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return null;
	return `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A name for confirmations and mails: the family name kept, the rest hidden (R-C09: names masked). */
export function maskName(name: string): string {
	const n = String(name ?? '').trim();
	if (!n) return '＊＊';
	const [family] = n.split(/[\s　]+/);
	if (family.length < n.length) return `${family} ＊＊`;
	return `${[...n][0]}＊＊`;
}
