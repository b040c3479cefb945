import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { citizenLinkBody } from '$lib/server/citizen/schemas.ts';
import { requestLink } from '$lib/server/citizen/links.ts';

/** R-C02: the same 202 for every address; the link goes by mail. */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, citizenLinkBody);
		await requestLink(appContext(), { email: body.email, lang: body.lang ?? locals.lang, ip: getClientAddress() });
		return json({ status: 'accepted' }, { status: 202, headers: { 'cache-control': 'no-store' } });
	}, locals.lang);
