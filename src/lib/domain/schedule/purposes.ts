/**
 * 用件: why a citizen comes (R-S17). A purpose may need several consecutive slots.
 */
import type { DateStr, TimeStr } from './time.ts';
import { MESSAGES, blank, type FieldError } from './validation.ts';

export interface Purpose {
	id: string;
	/** stable machine name, used in URLs and exports */
	code: string;
	nameJa: string;
	nameEn: string;
	/** consecutive slots one visit takes; at least 1 */
	durationSlots: number;
	/** 注意事項 shown before confirming (R-C08) */
	precautionsJa: string;
	precautionsEn: string;
}

export const DEFAULT_PURPOSES: readonly Purpose[] = [
	{
		id: 'card-issuance',
		code: 'card_issuance',
		nameJa: 'カードの交付',
		nameEn: 'Card issuance',
		durationSlots: 1,
		precautionsJa:
			'交付通知書、本人確認書類、お持ちの方は通知カード・住民基本台帳カードをお持ちください。ご本人が来庁してください。',
		precautionsEn:
			'Bring the issuance notice, proof of identity, and your notification card or Juki card if you have one. The card holder must come in person.'
	},
	{
		id: 'ecert-renewal',
		code: 'ecert_renewal',
		nameJa: '電子証明書の更新',
		nameEn: 'Electronic certificate renewal',
		durationSlots: 1,
		precautionsJa: 'マイナンバーカードと、有効期限通知書をお持ちの方はその通知書をお持ちください。暗証番号が必要です。',
		precautionsEn: 'Bring your My Number card and, if you received it, the expiry notice. You will need your PIN codes.'
	}
];

const CODE_RE = /^[a-z0-9_-]+$/;

export function validatePurpose(p: Purpose): FieldError[] {
	const errors: FieldError[] = [];
	if (typeof p.code !== 'string' || !CODE_RE.test(p.code)) errors.push({ field: 'code', message: MESSAGES.code });
	if (blank(p.nameJa)) errors.push({ field: 'nameJa', message: MESSAGES.required });
	if (blank(p.nameEn)) errors.push({ field: 'nameEn', message: MESSAGES.required });
	// the columns hold 100 characters (R-O04: bad input is a 4xx, never a database error)
	if (typeof p.nameJa === 'string' && p.nameJa.length > 100) errors.push({ field: 'nameJa', message: '100文字以内で入力してください' });
	if (typeof p.nameEn === 'string' && p.nameEn.length > 100) errors.push({ field: 'nameEn', message: '100文字以内で入力してください' });
	if (!Number.isInteger(p.durationSlots) || p.durationSlots < 1) {
		errors.push({ field: 'durationSlots', message: MESSAGES.durationSlots });
	}
	return errors;
}

export interface SlotTimes {
	date: DateStr;
	start: TimeStr;
	end: TimeStr;
}

export type ConsecutiveResult<T> =
	| { ok: true; slots: T[] }
	| { ok: false; reason: 'not_found' | 'does_not_fit' | 'unavailable' };

/**
 * The `count` slots a visit starting at `first` occupies: each on the same date and starting
 * exactly where the previous one ends, so a lunch break or a missing slot breaks the run.
 * `usable` lets the caller require, say, enough remaining places in every slot of the run.
 */
export function findConsecutiveSlots<T extends SlotTimes>(
	slots: readonly T[],
	first: { date: DateStr; start: TimeStr },
	count: number,
	usable: (slot: T) => boolean = () => true
): ConsecutiveResult<T> {
	const byStart = new Map<string, T>();
	for (const s of slots) {
		const k = `${s.date} ${s.start}`;
		if (!byStart.has(k)) byStart.set(k, s);
	}
	const head = byStart.get(`${first.date} ${first.start}`);
	if (!head) return { ok: false, reason: 'not_found' };
	const n = Number.isInteger(count) && count >= 1 ? count : 1;
	const run: T[] = [head];
	while (run.length < n) {
		const prev = run[run.length - 1];
		const next = byStart.get(`${prev.date} ${prev.end}`);
		if (!next) return { ok: false, reason: 'does_not_fit' };
		run.push(next);
	}
	if (!run.every((s) => usable(s))) return { ok: false, reason: 'unavailable' };
	return { ok: true, slots: run };
}
