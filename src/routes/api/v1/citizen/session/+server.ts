import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { citizenSessionBody } from '$lib/server/citizen/schemas.ts';
import { clearCitizenCookie, endCitizenSession, openCitizenSession, setCitizenCookie } from '$lib/server/citizen/session.ts';

/** R-C02: the emailed link's token opens a citizen session (cookie, and the token for API clients); a second use is 410. */
export const POST: RequestHandler = ({ request, cookies, url, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, citizenSessionBody);
		const s = await openCitizenSession(appContext(), body.token, getClientAddress());
		setCitizenCookie(cookies, s.token, s.expiresAt, url.protocol === 'https:');
		return json({ token: s.token, expiresAt: s.expiresAt.toISOString(), lang: s.lang }, { status: 201, headers: { 'cache-control': 'no-store' } });
	}, locals.lang);

export const DELETE: RequestHandler = ({ cookies, locals }) =>
	api(async () => {
		if (locals.citizen) await endCitizenSession(appContext(), locals.citizen);
		clearCitizenCookie(cookies);
		return new Response(null, { status: 204 });
	}, locals.lang);
