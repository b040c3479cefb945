import type { Handle } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { authenticate } from '$lib/server/auth/session.ts';
import { SESSION_COOKIE } from '$lib/server/auth/cookie.ts';
import { authenticateCitizen, citizenClaims, CITIZEN_COOKIE } from '$lib/server/citizen/session.ts';
import { isCitizenPath } from '$lib/server/citizen/maintenance.ts';
import { passwordChangeRequired } from '$lib/server/auth/password.ts';
import { problemFromError } from '$lib/server/web/http.ts';
import { AppError } from '$lib/server/errors.ts';
import { bearer } from './bearer.ts';

/**
 * Who is asking. A Bearer token is a staff or a citizen token (its kind is in the signed claims, so
 * one signature check tells which); cookies are separate. The citizen session is read on citizen
 * paths only, the paths the staff gates below never answer.
 */
export const handleSessions: Handle = async ({ event, resolve }) => {
	const ctx = appContext();
	const auth = bearer(event.request);
	const bearerClaims = auth ? citizenClaims(ctx, auth) : null;
	const citizenToken = bearerClaims ? auth : (event.cookies.get(CITIZEN_COOKIE) ?? null);
	const staffToken = auth && !bearerClaims ? auth : (event.cookies.get(SESSION_COOKIE) ?? null);
	event.locals.principal = await authenticate(ctx, staffToken);
	event.locals.citizen = isCitizenPath(event.url.pathname) && citizenToken ? await authenticateCitizen(ctx, citizenToken, bearerClaims ?? undefined) : null;
	return resolve(event);
};

const isStaffPage = (path: string) => path === '/staff' || path.startsWith('/staff/');

/** A redirect a page load (303) and its __data.json (a redirect node) both follow. */
function redirectTo(path: string, location: string): Response {
	if (path.endsWith('/__data.json')) return new Response(JSON.stringify({ type: 'redirect', location }), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
	return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

/**
 * R-O04 broken access control: staff pages (and their __data.json, which runs a page's load even
 * when its layout would redirect) need a session before any load runs; the staff API answers nobody
 * without a session, before any route reads a body. Roles are checked by each load and use case.
 */
export const handleStaffSignIn: Handle = async ({ event, resolve }) => {
	if (event.locals.principal) return resolve(event);
	const path = event.url.pathname;
	const method = event.request.method;
	if (isStaffPage(path) && !/^\/staff\/(login|logout)(\/|$)/.test(path) && (method === 'GET' || method === 'HEAD')) {
		return redirectTo(path, `/staff/login?next=${encodeURIComponent(path.replace(/\/__data\.json$/, '') || '/staff')}`);
	}
	if (path.startsWith('/api/v1/staff/') && !(path === '/api/v1/staff/session' && method === 'POST')) {
		return problemFromError(new AppError('unauthenticated', 'ログインが必要です。', { en: 'Please sign in.' }), event.locals.lang);
	}
	return resolve(event);
};

/**
 * R-S01: a password set by an admin is changed first: every staff page leads to the change page,
 * every staff API but the change itself (and logging out) answers 403 password-change-required.
 */
export const handlePasswordChange: Handle = async ({ event, resolve }) => {
	if (!event.locals.principal?.mustChangePassword) return resolve(event);
	const path = event.url.pathname;
	const method = event.request.method;
	if (path.startsWith('/api/v1/staff/') && !(path === '/api/v1/staff/session/password' && method === 'PUT') && !(path === '/api/v1/staff/session' && method === 'DELETE')) {
		return problemFromError(passwordChangeRequired(), event.locals.lang);
	}
	if (isStaffPage(path) && !/^\/staff\/(account|login|logout)(\/|$)/.test(path)) return redirectTo(path, '/staff/account');
	return resolve(event);
};
