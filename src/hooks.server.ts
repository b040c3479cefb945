import type { Handle, HandleServerError } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { authenticate } from '$lib/server/auth/session.ts';
import { SESSION_COOKIE } from '$lib/server/auth/cookie.ts';
import { authenticateCitizen, citizenClaims, CITIZEN_COOKIE } from '$lib/server/citizen/session.ts';
import { isCitizenPath, maintenanceError, maintenanceState } from '$lib/server/citizen/maintenance.ts';
import { problem, problemFromError } from '$lib/server/web/http.ts';
import { maintenancePage } from '$lib/server/citizen/maintenance-page.ts';
import { citizenRate, crossSiteRefusal, databaseUnavailable, isDatabaseUnavailable, outsideStaffNetwork, securityHeaders } from '$lib/server/security/web.ts';
import { isStaffNetworkPath, staffNetworkAllows } from '$lib/server/security/address.ts';
import { tooMany } from '$lib/server/security/limits.ts';
import { AppError } from '$lib/server/errors.ts';
import { controlCharRefusal } from '$lib/server/security/text-input.ts';
import { passwordChangeRequired } from '$lib/server/auth/password.ts';

/** What a browser form sends: urlencoded, or multipart with its boundary. */
function isFormBody(request: Request): boolean {
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	return type.startsWith('application/x-www-form-urlencoded') || (type.startsWith('multipart/form-data') && /;\s*boundary=/.test(type));
}

/**
 * The citizen's manage page itself (not its data or forms) may be kept by the citizen's own browser
 * and revalidated on every visit: `no-store` would keep it out of the back/forward cache, so going
 * back from a change or from the mail app would load it again. It holds nothing the URL (already in
 * that browser's history) does not open anyway; never in a shared cache (private). Staff pages stay
 * no-store: city terminals are shared.
 */
const manageDocument = (event: { request: Request; isDataRequest: boolean }, path: string) =>
	event.request.method === 'GET' && !event.isDataRequest && /^\/manage\/[^/]+\/?$/.test(path);

function bearer(request: Request): string | null {
	const h = request.headers.get('authorization');
	return h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : null;
}

export const handle: Handle = async (input) => {
	const { event } = input;
	let response: Response;
	try {
		response = await guarded(input);
	} catch (e) {
		// R-O05: the database away is a 503 with Retry-After, never a 500 with a stack (recovery needs no restart).
		if (!isDatabaseUnavailable(e)) throw e;
		appContext().log.warn({ route: event.route.id }, 'database unavailable');
		response = databaseUnavailable(event.url.pathname.startsWith('/api/'), event.locals.lang ?? 'ja');
	}
	if (event.locals.databaseDown && response.status === 500) response = databaseUnavailable(event.url.pathname.startsWith('/api/'), event.locals.lang ?? 'ja');
	try {
		securityHeaders(response.headers, event.url.protocol === 'https:');
	} catch {
		// a fetched response with immutable headers (never ours): leave it
	}
	return response;
};

const guarded: Handle = async ({ event, resolve }) => {
	const ctx = appContext();
	const path = event.url.pathname;
	// ?lang= switches the language and is remembered in a cookie; Japanese is the default.
	const asked = event.url.searchParams.get('lang');
	const secure = event.url.protocol === 'https:';
	if (asked === 'en' || asked === 'ja') event.cookies.set('lang', asked, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 365 * 86400 });
	event.locals.lang = (asked ?? event.cookies.get('lang')) === 'en' ? 'en' : 'ja';

	// A Bearer token is a staff or a citizen token (its kind is in the signed claims); cookies are separate.
	const auth = bearer(event.request);
	// one signature check tells which kind a Bearer token is
	const bearerClaims = auth ? citizenClaims(ctx, auth) : null;
	const bearerIsCitizen = !!bearerClaims;
	const citizenToken = bearerIsCitizen ? auth : (event.cookies.get(CITIZEN_COOKIE) ?? null);
	const staffToken = auth && !bearerIsCitizen ? auth : (event.cookies.get(SESSION_COOKIE) ?? null);
	const citizenSide = isCitizenPath(path);
	// STAFF_NETWORKS (LGWAN): staff pages, the staff API and the boards only from the city's networks.
	if (isStaffNetworkPath(path) && !staffNetworkAllows(ctx.config, event.getClientAddress())) return outsideStaffNetwork(path.startsWith('/api/'), event.locals.lang);
	// A form action (every POST outside /api/ is one) reads form data: any other body is a client's
	// mistake, answered 415 before an action's request.formData() would throw it into a 500.
	if (event.request.method === 'POST' && !path.startsWith('/api/') && !isFormBody(event.request)) {
		return problem(415, 'Unsupported Media Type', event.locals.lang === 'en' ? 'Forms must be sent as form data.' : 'フォームの送信形式が正しくありません。', { code: 'unsupported_media_type' });
	}
	// R-O04 CSRF: state-changing requests riding on a cookie must come from our own origin.
	const refused = crossSiteRefusal(event.request, event.url, auth !== null);
	if (refused) return refused;
	// R-O04: control characters in a query or a form are refused before any route reads them.
	const controls = await controlCharRefusal(event.request, event.url, event.locals.lang);
	if (controls) return controls;
	// R-O04 brute force / bots: every citizen API endpoint is limited per client address.
	if (citizenSide && path.startsWith('/api/')) {
		const wait = await citizenRate(ctx, event.getClientAddress());
		if (wait) return problemFromError(tooMany(wait, { ja: '短時間に多くの要求がありました。', en: 'Too many requests.' }, ctx.now()), event.locals.lang);
	}
	event.locals.principal = await authenticate(ctx, staffToken);
	// R-O04 broken access control: staff pages (and their __data.json, which runs a page's load even
	// when its layout would redirect) need a session before any load runs; roles are checked by each load.
	if (!event.locals.principal && (path === '/staff' || path.startsWith('/staff/')) && !/^\/staff\/(login|logout)(\/|$)/.test(path) && (event.request.method === 'GET' || event.request.method === 'HEAD')) {
		const login = `/staff/login?next=${encodeURIComponent(path.replace(/\/__data\.json$/, '') || '/staff')}`;
		if (path.endsWith('/__data.json')) return new Response(JSON.stringify({ type: 'redirect', location: login }), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
		return new Response(null, { status: 303, headers: { location: login, 'cache-control': 'no-store' } });
	}
	// R-O04 broken access control: the staff API answers nobody without a session, before any route
	// reads a body (use cases still check each role themselves).
	if (path.startsWith('/api/v1/staff/') && !event.locals.principal && !(path === '/api/v1/staff/session' && event.request.method === 'POST')) {
		return problemFromError(new AppError('unauthenticated', 'ログインが必要です。', { en: 'Please sign in.' }), event.locals.lang);
	}
	// R-S01: a password set by an admin is changed first: every staff page leads to the change page,
	// every staff API but the change itself (and logging out) answers 403 password-change-required.
	if (event.locals.principal?.mustChangePassword) {
		if (path.startsWith('/api/v1/staff/') && !(path === '/api/v1/staff/session/password' && event.request.method === 'PUT') && !(path === '/api/v1/staff/session' && event.request.method === 'DELETE')) {
			return problemFromError(passwordChangeRequired(), event.locals.lang);
		}
		if ((path === '/staff' || path.startsWith('/staff/')) && !/^\/staff\/(account|login|logout)(\/|$)/.test(path)) {
			const to = '/staff/account';
			if (path.endsWith('/__data.json')) return new Response(JSON.stringify({ type: 'redirect', location: to }), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
			return new Response(null, { status: 303, headers: { location: to, 'cache-control': 'no-store' } });
		}
	}
	event.locals.citizen = citizenSide && citizenToken ? await authenticateCitizen(ctx, citizenToken, bearerClaims ?? undefined) : null;

	// R-C13: while closed, the citizen site answers 503 with the planned end; staff pages keep working.
	if (citizenSide) {
		const m = await maintenanceState(ctx);
		event.locals.maintenance = m;
		if (m.active) {
			const err = maintenanceError(m, ctx.now());
			if (path.startsWith('/api/')) return problemFromError(err, event.locals.lang);
			return new Response(maintenancePage(m, event.locals.lang), {
				status: 503,
				headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(err.extra.retryAfter), 'cache-control': 'no-store' }
			});
		}
	}

	const response = await resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang)
	});
	// R-O04: clickjacking, MIME sniffing, referrer leaks of manage links: see securityHeaders above.
	if (path.startsWith('/staff') || path.startsWith('/api/v1/staff') || path.startsWith('/manage') || path.startsWith('/start') || path.startsWith('/api/v1/citizen') || path.startsWith('/api/v1/holds')) {
		response.headers.set('Cache-Control', manageDocument(event, path) ? 'private, no-cache' : 'no-store');
	}
	return response;
};

export const handleError: HandleServerError = ({ error, event, status }) => {
	// Only the route and the error's own message are logged: never bodies, cookies or query strings.
	const ctx = appContext();
	if (isDatabaseUnavailable(error)) {
		// answered as 503 by the handle hook; one line without the stack
		event.locals.databaseDown = true;
		ctx.log.warn({ route: event.route.id, method: event.request.method }, 'database unavailable');
	} else if (status >= 500) ctx.log.error({ err: error, route: event.route.id, method: event.request.method }, 'request failed');
	// a client's mistake kit answered itself (415 for a body that is no form, 405, 400): no error, no stack
	else if (status !== 404) ctx.log.info({ route: event.route.id, method: event.request.method, status }, 'request refused');
	const en = event.locals.lang === 'en';
	return {
		message: status === 404 ? (en ? 'Page not found.' : 'ページが見つかりません。') : en ? 'An error occurred on the server.' : 'サーバーでエラーが発生しました。',
		code: String(status)
	};
};
