import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { manageMoveBody, manageTokenParam } from '$lib/server/citizen/schemas.ts';
import { moveManaged } from '$lib/server/citizen/manage.ts';

/** R-C10: move to another time or location; the change mail follows. */
export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const token = parseWith(manageTokenParam, params.token, 'manage token');
		const body = await readJson(request, manageMoveBody);
		return json(await moveManaged(appContext(), token, body.slotId, getClientAddress()));
	}, locals.lang);
