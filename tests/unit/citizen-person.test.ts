import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maskName, normaliseMonthDay, normaliseNoticeId } from '../../src/lib/domain/citizen/person.ts';
import { CHECKIN_CODE_RE, linkToken, manageToken, manageTokenRef, manageTokenValid, normaliseCheckinCode, verifyLinkToken } from '../../src/lib/server/citizen/tokens.ts';

describe('R-C03 what a citizen types for a person', () => {
	it('R-C03 notice IDs: full-width, hyphens and spaces are understood; anything else is refused', () => {
		expect(normaliseNoticeId('１２３４－５６７８ ９０')).toBe('1234567890');
		expect(normaliseNoticeId('ab-12')).toBe('AB12');
		expect(normaliseNoticeId('12ー34')).toBe('1234');
		for (const bad of ['', '   ', '<script>', "1' OR '1'='1", '😀', '１'.repeat(21), '番号']) expect(normaliseNoticeId(bad)).toBeNull();
	});

	it('R-C03 birth month and day in the forms people type; impossible days are refused', () => {
		for (const [typed, md] of [
			['04-01', '04-01'],
			['0401', '04-01'],
			['4/1', '04-01'],
			['4月1日', '04-01'],
			['０４０１', '04-01'],
			['02-29', '02-29'],
			['12.31', '12-31']
		])
			expect(normaliseMonthDay(typed), typed).toBe(md);
		for (const bad of ['', '13-01', '02-30', '04-31', '00-10', '1985-04-01', 'abcd', '<b>1</b>']) expect(normaliseMonthDay(bad), bad).toBeNull();
	});

	it('R-C03 every real day of a leap year round-trips through each typed form', () => {
		fc.assert(
			fc.property(fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2024-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
				const m = d.getUTCMonth() + 1;
				const day = d.getUTCDate();
				const md = `${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
				return [md, md.replace('-', ''), `${m}/${day}`, `${m}月${day}日`].every((x) => normaliseMonthDay(x) === md);
			})
		);
	});

	it('R-C09 names are masked: the family name stays, the given name never shows', () => {
		expect(maskName('山田 花子')).toBe('山田 ＊＊');
		expect(maskName('山田　花子')).toBe('山田 ＊＊');
		expect(maskName('ヤマダハナコ')).toBe('ヤ＊＊');
		expect(maskName('')).toBe('＊＊');
	});
});

describe('R-C02 R-C10 R-S15 signed tokens', () => {
	const secret = 'unit-secret-unit-secret-unit-secret-0000';
	const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
	it('R-C02 a link token verifies only with its own id and secret', () => {
		const t = linkToken(secret, id);
		expect(verifyLinkToken(secret, t)).toBe(id);
		expect(verifyLinkToken('another-secret-another-secret-another', t)).toBeNull();
		expect(verifyLinkToken(secret, t.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBeNull();
		expect(verifyLinkToken(secret, `${'3f2504e0-4f89-41d3-9a0c-0305e82c3302'}.${t.split('.')[1]}`)).toBeNull();
		for (const junk of ['', 'x', `${id}.`, `${id}.${'a'.repeat(200)}`, '../../etc/passwd']) expect(verifyLinkToken(secret, junk)).toBeNull();
	});
	it('R-C10 a manage token is bound to the booking’s token version', () => {
		const t = manageToken(secret, id, 1);
		expect(manageTokenRef(t)).toBe(id);
		expect(manageTokenValid(secret, t, 1)).toBe(true);
		expect(manageTokenValid(secret, t, 2)).toBe(false);
		// a link token is no manage token
		expect(manageTokenValid(secret, linkToken(secret, id), 1)).toBe(false);
	});
	it('R-S15 check-in codes survive what a USB reader may add', () => {
		const code = 'MN0123456789ABCDEF0123456789ABCDEF';
		expect(CHECKIN_CODE_RE.test(code)).toBe(true);
		expect(normaliseCheckinCode(` ${code.toLowerCase()}\n`)).toBe(code);
		expect(normaliseCheckinCode('MN123')).toBeNull();
	});
});
