import type { Handle } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { isCitizenPath } from '$lib/server/citizen/maintenance.ts';
import { problem, problemFromError } from '$lib/server/web/http.ts';
import { citizenRate, crossSiteRefusal, outsideStaffNetwork } from '$lib/server/security/web.ts';
import { isStaffNetworkPath, staffNetworkAllows } from '$lib/server/security/address.ts';
import { tooMany } from '$lib/server/security/limits.ts';
import { controlCharRefusal } from '$lib/server/security/text-input.ts';
import { bearer } from './bearer.ts';

/** STAFF_NETWORKS (LGWAN): staff pages, the staff API and the boards only from the city's networks. */
export const handleStaffNetwork: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (isStaffNetworkPath(path) && !staffNetworkAllows(appContext().config, event.getClientAddress())) return outsideStaffNetwork(path.startsWith('/api/'), event.locals.lang);
	return resolve(event);
};

/** What a browser form sends: urlencoded, or multipart with its boundary. */
function isFormBody(request: Request): boolean {
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	return type.startsWith('application/x-www-form-urlencoded') || (type.startsWith('multipart/form-data') && /;\s*boundary=/.test(type));
}

/**
 * A form action (every POST outside /api/ is one) reads form data: any other body is a client's
 * mistake, answered 415 before an action's request.formData() would throw it into a 500.
 */
export const handleFormBody: Handle = async ({ event, resolve }) => {
	if (event.request.method === 'POST' && !event.url.pathname.startsWith('/api/') && !isFormBody(event.request)) {
		return problem(415, 'Unsupported Media Type', event.locals.lang === 'en' ? 'Forms must be sent as form data.' : 'フォームの送信形式が正しくありません。', { code: 'unsupported_media_type' });
	}
	return resolve(event);
};

/** R-O04 CSRF: state-changing requests riding on a cookie must come from our own origin. */
export const handleCrossSite: Handle = async ({ event, resolve }) => crossSiteRefusal(event.request, event.url, bearer(event.request) !== null) ?? resolve(event);

/** R-O04: control characters in a query or a form are refused before any route reads them. */
export const handleControlChars: Handle = async ({ event, resolve }) => (await controlCharRefusal(event.request, event.url, event.locals.lang)) ?? resolve(event);

/** R-O04 brute force / bots: every citizen API endpoint is limited per client address. */
export const handleCitizenRate: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (isCitizenPath(path) && path.startsWith('/api/')) {
		const ctx = appContext();
		const wait = await citizenRate(ctx, event.getClientAddress());
		if (wait) return problemFromError(tooMany(wait, { ja: '短時間に多くの要求がありました。', en: 'Too many requests.' }, ctx.now()), event.locals.lang);
	}
	return resolve(event);
};
