/**
 * Pure helpers for mails and the staff mail list: masking personal data, checking an address
 * before it reaches SMTP, and the visit's date in words. No I/O; times are shown in Asia/Tokyo.
 */

/**
 * A person's name as a mail shows it (R-C09): the family name kept, the rest hidden, e.g.
 * 山田 太郎 → 山田 ＊＊. A name without a space keeps its first character. Never empty.
 */
export function maskName(name: string | null | undefined): string {
	const n = String(name ?? '').replace(/[\r\n\t]/g, ' ').trim();
	if (!n) return '＊＊';
	const parts = n.split(/[\s\u3000]+/);
	if (parts.length > 1) return `${parts[0]} ＊＊`;
	return `${[...n][0]}＊＊`;
}

/** An address as staff lists show it: ta***@example.jp (never the whole local part). */
export function maskEmail(email: string | null | undefined): string {
	const e = String(email ?? '');
	const at = e.lastIndexOf('@');
	if (at < 1) return e ? '***' : '';
	const local = [...e.slice(0, at)];
	return `${local.slice(0, Math.min(2, local.length - 1 || 1)).join('')}***@${e.slice(at + 1).replace(/[\r\n]/g, '')}`;
}

// A plain addr-spec only: dot-atom local part, a host name with at least one dot. No quoted
// strings, comments, groups, display names, spaces or line breaks: anything SMTP or a header
// parser could read as more than one address is refused (R-O04).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isDeliverableAddress(email: unknown): email is string {
	if (typeof email !== 'string' || email.length > 254) return false;
	const at = email.lastIndexOf('@');
	if (at < 1 || at > 64) return false;
	const labels = email.slice(at + 1).split('.');
	return LOCAL.test(email.slice(0, at)) && labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/**
 * The mailbox an address reaches, for counting (R-O04): `Victim+1@Example.jp`, `v.i.c.t.i.m@example.jp`
 * and `victim@example.jp` are one mailbox for every per-mailbox limit. Lower-cased, the `+tag`
 * dropped and the dots of the local part ignored (as large providers deliver them). Only a key: mail
 * still goes to the address as typed.
 */
export function mailboxKey(email: string): string {
	const e = email.trim().toLowerCase();
	const at = e.lastIndexOf('@');
	if (at < 1) return e;
	const local = e.slice(0, at).split('+')[0].replaceAll('.', '');
	return `${local || e.slice(0, at)}@${e.slice(at + 1)}`;
}

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];

/** Tokyo wall-clock fields of an instant (Japan has no daylight saving: always UTC+9). */
function tokyoParts(d: Date) {
	const t = new Date(d.getTime() + 9 * 3600_000);
	return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), wd: t.getUTCDay(), hh: t.getUTCHours(), mi: t.getUTCMinutes() };
}
const hm = (p: { hh: number; mi: number }) => `${String(p.hh).padStart(2, '0')}:${String(p.mi).padStart(2, '0')}`;

/** 2026年11月25日（水）10:30〜11:00 / Wednesday, 25 November 2026, 10:30–11:00 */
export function formatVisit(startsAt: Date, endsAt: Date, lang: 'ja' | 'en'): string {
	const s = tokyoParts(startsAt);
	const e = tokyoParts(endsAt);
	if (lang === 'en') {
		const day = new Date(Date.UTC(s.y, s.m - 1, s.d)).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
		return `${day.replace(/^(\w+) /, '$1, ')}, ${hm(s)}–${hm(e)}`;
	}
	return `${s.y}年${s.m}月${s.d}日（${WEEKDAYS_JA[s.wd]}）${hm(s)}〜${hm(e)}`;
}

/** Tokyo wall-clock [year, month, day, hour, minute] of an instant, for calendar files. */
