import type { Cookies } from '@sveltejs/kit';

export const SESSION_COOKIE = 'mn_session';

/** httpOnly + SameSite=Lax; Secure whenever the site is served over https (R-S01, R-O04). */
export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

export function clearSessionCookie(cookies: Cookies): void {
	cookies.delete(SESSION_COOKIE, { path: '/' });
}
