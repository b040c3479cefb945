import type { Handle } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { databaseUnavailable, isDatabaseUnavailable, securityHeaders } from '$lib/server/security/web.ts';

/** R-O04: clickjacking, MIME sniffing, referrer leaks of manage links: every answer, early refusals included. */
export const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	try {
		securityHeaders(response.headers, event.url.protocol === 'https:');
	} catch {
		// a fetched response with immutable headers (never ours): leave it
	}
	return response;
};

/** R-O05: the database away is a 503 with Retry-After, never a 500 with a stack (recovery needs no restart). */
export const handleDatabaseDown: Handle = async ({ event, resolve }) => {
	let response: Response;
	try {
		response = await resolve(event);
	} catch (e) {
		if (!isDatabaseUnavailable(e)) throw e;
		appContext().log.warn({ route: event.route.id }, 'database unavailable');
		response = databaseUnavailable(event.url.pathname.startsWith('/api/'), event.locals.lang ?? 'ja');
	}
	// handleError (hooks.server.ts) flags a load or action that failed on the database
	if (event.locals.databaseDown && response.status === 500) response = databaseUnavailable(event.url.pathname.startsWith('/api/'), event.locals.lang ?? 'ja');
	return response;
};

/**
 * The citizen's manage page itself (not its data or forms) may be kept by the citizen's own browser
 * and revalidated on every visit: `no-store` would keep it out of the back/forward cache, so going
 * back from a change or from the mail app would load it again. It holds nothing the URL (already in
 * that browser's history) does not open anyway; never in a shared cache (private). Staff pages stay
 * no-store: city terminals are shared.
 */
const manageDocument = (event: { request: Request; isDataRequest: boolean }, path: string) =>
	event.request.method === 'GET' && !event.isDataRequest && /^\/manage\/[^/]+\/?$/.test(path);

/** Pages and answers that carry a session or a manage link are never kept by a shared cache (R-O04). */
export const handleCacheHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	const path = event.url.pathname;
	if (path.startsWith('/staff') || path.startsWith('/api/v1/staff') || path.startsWith('/manage') || path.startsWith('/start') || path.startsWith('/api/v1/citizen') || path.startsWith('/api/v1/holds')) {
		response.headers.set('Cache-Control', manageDocument(event, path) ? 'private, no-cache' : 'no-store');
	}
	return response;
};
