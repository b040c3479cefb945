import { describe, expect, it } from 'vitest';
import { mapReservationHeader, validateReservationRow } from '../../../src/lib/domain/cards/reservation-row.ts';

const rules = {
	line: 7,
	locations: [{ id: 3, code: 'minami', nameJa: '南支所' }],
	purposes: [
		{ id: 1, code: 'card_issuance', nameJa: 'カードの交付' },
		{ id: 2, code: 'cert_renewal', nameJa: '電子証明書の更新' }
	],
	defaultPurposeId: 1
};
const header = mapReservationHeader(['予約番号', '交付通知書番号', '生年月日', '交付場所', '来庁日', '来庁時刻', '用件', 'メールアドレス']);

describe('existing bookings rows (R-S16)', () => {
	it('R-S16 a good row: notice ID normalised, 和暦 birth date, location by name, time padded, purpose by name, household key', () => {
		const r = validateReservationRow(['OLD-9', 'a-12', '昭和60年1月2日', '南支所', '2026/12/10', '9:30', '電子証明書の更新', 'x@example.jp'], header, rules);
		expect(r).toEqual({
			ok: true,
			row: { line: 7, group: 'g:OLD-9', noticeId: 'A12', birthDate: '1985-01-02', locationId: 3, date: '2026-12-10', time: '09:30', purposeId: 2, email: 'x@example.jp' }
		});
		const single = validateReservationRow(['', 'B1', '1990-01-01', 'minami', '2026-12-10', '10:00', '', ''], header, rules);
		expect(single).toMatchObject({ ok: true, row: { group: 'line:7', purposeId: 1, email: null } });
	});

	it('R-S16 every bad field is reported with its column; required columns are required', () => {
		const r = validateReservationRow(['x'.repeat(33), '!!', '2026/02/30', '西支所', 'tomorrow', '25:00', '相談', 'not-mail'], header, rules);
		expect(r.ok).toBe(false);
		if (!r.ok) expect(r.errors.map((e) => e.column)).toEqual(['交付通知書番号', '生年月日', '交付場所', '来庁日', '来庁時刻', '用件', 'メールアドレス', '予約番号']);
		expect(mapReservationHeader(['交付通知書番号']).errors.map((e) => e.column)).toEqual(['生年月日', '交付場所', '来庁日', '来庁時刻']);
	});
});
