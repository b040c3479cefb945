/**
 * R-S04: the caller's phone number on a phone booking, as staff type it: 090-1234-5678,
 * 03 1234 5678, (03)1234-5678, +81 90 1234 5678, full-width digits too. Kept as typed (half-width,
 * spaces collapsed to hyphens) when it has 10 to 15 digits; anything else is refused.
 */
export const PHONE_MESSAGE = '電話番号は数字10〜15桁で入力してください（例: 090-1234-5678）。';

export function normalisePhone(input: string): string | null {
	const s = String(input ?? '')
		.normalize('NFKC')
		.trim()
		.replace(/[\s\u2010-\u2015\u2212ー]+/g, '-')
		.replace(/-+/g, '-');
	if (!/^\+?[0-9()-]+$/.test(s)) return null;
	const digits = s.replace(/\D/g, '').length;
	if (digits < 10 || digits > 15 || s.length > 20) return null;
	return s;
}
