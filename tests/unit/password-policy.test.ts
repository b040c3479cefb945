import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_PASSWORD_LENGTH, PASSWORD_MESSAGES, passwordMessage, passwordProblems } from '../../src/lib/domain/password-policy.ts';
import { actionLabel, actorLabel } from '../../src/lib/domain/audit-actions.ts';

describe('password policy', () => {
	it('R-S01 at least 12 characters, counted as characters (not bytes)', () => {
		expect(passwordProblems('Kx9#mP2$vL7', 'tanaka')).toEqual(['too_short']);
		expect(passwordProblems('Kx9#mP2$vL7q', 'tanaka')).toEqual([]);
		// 12 Japanese characters are 12 characters, though 36 bytes in UTF-8.
		expect(passwordProblems('春夏秋冬東西南北上下左右', 'tanaka')).toEqual([]);
		expect(passwordProblems('春夏秋冬東西南北上下左', 'tanaka')).toEqual(['too_short']);
		expect(passwordProblems('', 'tanaka')).toContain('too_short');
	});

	it('R-S01 not the login, nor containing it, whatever the case', () => {
		expect(passwordProblems('suzuki.ichiro', 'suzuki.ichiro')).toEqual(['is_login']);
		expect(passwordProblems('SUZUKI.ICHIRO', 'suzuki.ichiro')).toEqual(['is_login']);
		expect(passwordProblems('my-Suzuki.Ichiro-2026', 'suzuki.ichiro')).toEqual(['contains_login']);
		// A very short login is not searched for inside the password (every password would contain "ab").
		expect(passwordProblems('table-lamp-on-desk', 'ab')).toEqual([]);
	});

	it('R-S01 common passwords are refused, also when decorated with digits and symbols', () => {
		for (const pw of ['password1234', 'Password1234!', 'P@ssw0rd2026!!', 'administrator', 'Administrator-2026', '123456789012', 'qwertyuiop12', '1q2w3e4r5t6y', 'mynumbercard1']) {
			expect(passwordProblems(pw, 'tanaka'), pw).toEqual(['common']);
		}
		expect(passwordProblems('aaaaaaaaaaaaaa', 'tanaka')).toEqual(['repeated']);
		expect(passwordProblems('correct horse battery staple', 'tanaka')).toEqual([]);
	});

	it('R-S01 messages are Japanese and the first problem is the one shown', () => {
		expect(passwordMessage('short', 'tanaka')).toBe(PASSWORD_MESSAGES.too_short);
		expect(passwordMessage('short', 'tanaka')).toContain(`${MIN_PASSWORD_LENGTH}文字以上`);
		expect(passwordMessage('Unusual-Lantern-Orbit-42', 'tanaka')).toBeNull();
		for (const m of Object.values(PASSWORD_MESSAGES)) expect(m).toMatch(/[ぁ-んァ-ン一-龯]/);
	});

	it('R-S01 property: any accepted password is long enough and never contains the login', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 0, maxLength: 40 }), fc.stringMatching(/^[a-z][a-z0-9._-]{2,12}$/), (pw, login) => {
				if (passwordProblems(pw, login).length === 0) {
					expect([...pw].length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
					expect(pw.toLowerCase().includes(login)).toBe(false);
				}
			})
		);
	});
});

describe('operation log names', () => {
	it('R-O03 actions read in Japanese; unknown codes fall back to their area or to the code', () => {
		expect(actionLabel('login')).toBe('ログイン');
		expect(actionLabel('reservation.created')).toBe('予約作成');
		expect(actionLabel('user.disabled')).toBe('利用者の無効化');
		expect(actionLabel('card.something_new')).toBe('カード（その他）');
		expect(actionLabel('zzz.unknown')).toBe('zzz.unknown');
		expect(actorLabel('staff', 'admin')).toBe('admin');
		expect(actorLabel('citizen', null)).toBe('市民');
		expect(actorLabel('anonymous', null)).toBe('不明な利用者');
	});
});
