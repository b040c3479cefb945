import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { manageTokenParam } from '$lib/server/citizen/schemas.ts';
import { cancelManaged, viewManaged } from '$lib/server/citizen/manage.ts';

/** R-C10: the booking behind a manage link. */
export const GET: RequestHandler = ({ params, locals }) =>
	api(async () => json(await viewManaged(appContext(), parseWith(manageTokenParam, params.token, 'manage token')), { headers: { 'cache-control': 'no-store' } }), locals.lang);

/** R-C10: cancel; the change mail follows. */
export const DELETE: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => json(await cancelManaged(appContext(), parseWith(manageTokenParam, params.token, 'manage token'), getClientAddress())), locals.lang);
