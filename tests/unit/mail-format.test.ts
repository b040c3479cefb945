import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatVisit, isDeliverableAddress, maskEmail, maskName } from '../../src/lib/domain/mail-format.ts';
import { backoffMs, scrubError } from '../../src/lib/server/mail/outbox.ts';

describe('mail formatting', () => {
	it('R-C09 the visit in Tokyo time with year and weekday, in Japanese and English', () => {
		const s = new Date('2026-11-25T01:30:00Z');
		const e = new Date('2026-11-25T02:00:00Z');
		expect(formatVisit(s, e, 'ja')).toBe('2026年11月25日（水）10:30〜11:00');
		expect(formatVisit(s, e, 'en')).toBe('Wednesday, 25 November 2026, 10:30–11:00');
		// 23:30 UTC is the next morning in Tokyo.
		expect(formatVisit(new Date('2026-12-31T23:30:00Z'), new Date('2027-01-01T00:00:00Z'), 'ja')).toBe('2027年1月1日（金）08:30〜09:00');
	});

	it('R-C09 names are masked: the family name stays, the rest never appears', () => {
		expect(maskName('山田 太郎')).toBe('山田 ＊＊');
		expect(maskName('ヤマダ　タロウ')).toBe('ヤマダ ＊＊');
		expect(maskName('山田太郎')).toBe('山＊＊');
		expect(maskName('')).toBe('＊＊');
		fc.assert(
			fc.property(fc.stringMatching(/^[ぁ-ゖ]{1,6}$/), fc.stringMatching(/^[ァ-ヶ]{1,6}$/), (given, middle) => {
				const shown = maskName(`山田 ${given} ${middle}`);
				return shown === '山田 ＊＊' && !shown.includes(given) && !shown.includes(middle);
			})
		);
	});

	it('R-O05 staff lists show addresses masked', () => {
		expect(maskEmail('taro@example.jp')).toBe('ta***@example.jp');
		expect(maskEmail('t@example.jp')).toBe('t***@example.jp');
		expect(maskEmail(null)).toBe('');
		expect(maskEmail('not-an-address')).toBe('***');
	});

	it('R-O04 only a plain address is deliverable: no CR/LF, no second address, no display name or group', () => {
		for (const ok of ['taro@example.jp', 'taro.yamada+mn@mail.example.co.jp', "o'neil@example.com"]) expect(isDeliverableAddress(ok)).toBe(true);
		for (const bad of [
			'victim@example.jp\r\nBcc: attacker@evil.example',
			'victim@example.jp\nX-Injected: yes',
			'victim@example.jp, attacker@evil.example',
			'Taro <taro@example.jp>',
			'"taro"@example.jp',
			'group: a@b.jp;',
			'taro@localhost',
			'taro@@example.jp',
			'.taro@example.jp',
			`${'a'.repeat(65)}@example.jp`,
			''
		])
			expect(isDeliverableAddress(bad), bad).toBe(false);
		fc.assert(fc.property(fc.string(), fc.constantFrom('\r', '\n', ',', ';', ' ', '<', '>'), fc.string(), (a, c, b) => !isDeliverableAddress(`${a}${c}${b}@example.jp`) && !isDeliverableAddress(`x@ex${c}ample.jp`)));
	});

	it('R-C09 retry backoff doubles from 30 s up to one hour; kept SMTP errors carry no address', () => {
		expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(backoffMs)).toEqual([30e3, 60e3, 120e3, 240e3, 480e3, 960e3, 1920e3, 3600e3, 3600e3]);
		const err = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <taro@example.jp>: Recipient address rejected"), { code: 'EENVELOPE', responseCode: 550 });
		const kept = scrubError(err);
		expect(kept).toMatch(/^EENVELOPE 550 /);
		expect(kept).not.toContain('taro');
		expect(scrubError(new Error('rejected taro@example.jp\r\nmore'))).toBe('rejected …@… more');
	});
});
