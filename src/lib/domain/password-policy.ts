/**
 * Staff password policy (R-S01): at least 12 characters, not the login (nor containing it), not a
 * commonly used password, not one character repeated. Pure, so the staff form and the server say
 * the same thing; messages are in Japanese, shown beside the field.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * Passwords every cracking list starts with, and the ones people pick to meet a 12-character rule.
 * Compared case-insensitively, after removing spaces and trailing digits/symbols, so
 * "Password1234!" counts as "password".
 */
export const COMMON_PASSWORDS: readonly string[] = [
	'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwerty', 'qwertyuiop', 'qwertyuiopasdf', 'asdfghjkl', 'zxcvbnm',
	'iloveyou', 'letmein', 'welcome', 'admin', 'administrator', 'root', 'changeme', 'secret', 'default',
	'abc', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghijkl', 'abcd', 'dragon', 'monkey', 'football', 'baseball',
	'sunshine', 'princess', 'master', 'superman', 'trustno1', 'starwars', 'whatever', 'mynumber', 'mynumbercard',
	'tokyo', 'japan', 'nippon', 'sakura', 'doraemon', 'pokemon', 'shiyakusho', 'cityhall'
];

/**
 * Whole passwords (compared case-insensitively, as typed) that the stripping above would miss:
 * digits only, keyboard walks.
 */
const COMMON_EXACT: readonly string[] = [
	'123456789012', '1234567890123', '12345678901234', '1234567890', '0123456789', '098765432109', '111111111111',
	'000000000000', '123123123123', '1q2w3e4r5t6y', '1qaz2wsx3edc', 'qazwsxedcrfv', 'q1w2e3r4t5y6', 'zaq12wsxcde3'
];

export type PasswordProblem = 'too_short' | 'too_long' | 'is_login' | 'contains_login' | 'common' | 'repeated';

export const PASSWORD_MESSAGES: Record<PasswordProblem, string> = {
	too_short: `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください。`,
	too_long: `パスワードは${MAX_PASSWORD_LENGTH}文字以内にしてください。`,
	is_login: 'ユーザーIDと同じパスワードは使えません。',
	contains_login: 'ユーザーIDを含むパスワードは使えません。',
	common: 'よく使われていて推測されやすいパスワードです。別のものにしてください。',
	repeated: '同じ文字の繰り返しだけのパスワードは使えません。'
};

const length = (s: string) => [...s].length;

/** "Password1234!" → "password": the word people decorate to pass a length rule. */
function core(s: string): string {
	return s.toLowerCase().replace(/\s+/g, '').replace(/[\d\W_]+$/u, '');
}

/** Every problem with `password` for the user `login`; an empty list means it is acceptable. */
export function passwordProblems(password: string, login: string): PasswordProblem[] {
	const out: PasswordProblem[] = [];
	const n = length(password);
	if (n < MIN_PASSWORD_LENGTH) out.push('too_short');
	if (n > MAX_PASSWORD_LENGTH) out.push('too_long');
	const pw = password.toLowerCase();
	const id = login.trim().toLowerCase();
	if (id && pw === id) out.push('is_login');
	else if (id.length >= 3 && pw.includes(id)) out.push('contains_login');
	if (n > 0 && new Set(password).size === 1) out.push('repeated');
	else if (COMMON_EXACT.includes(pw) || COMMON_PASSWORDS.includes(core(password)) || COMMON_PASSWORDS.includes(pw)) out.push('common');
	return out;
}

/** The first problem's message (what a form shows beside the field), or null when acceptable. */
export function passwordMessage(password: string, login: string): string | null {
	const p = passwordProblems(password, login);
	return p.length ? PASSWORD_MESSAGES[p[0]] : null;
}
