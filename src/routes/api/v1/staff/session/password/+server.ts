import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { changeOwnPassword, passwordChangeBody } from '$lib/server/auth/password.ts';

/** R-S01: {current, next} → the signed-in user's own password changed; other sessions end. Open while a change is required. */
export const PUT: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, passwordChangeBody);
		return json(await changeOwnPassword(appContext(), locals.principal, { ...body, ip: getClientAddress() }));
	}, locals.lang);
