import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { cardHistory } from '$lib/server/cards/status.ts';

/** R-S08: status changes (who, when, from, to, note) and data changes of one card, newest first. */
export const GET: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		const id = parseWith(idParam, params.id, 'card id');
		return json(await cardHistory(appContext(), locals.principal, id, { ip: getClientAddress() }));
	});
