import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { cardStatusBody } from '$lib/server/cards/schemas.ts';
import { changeCardStatuses } from '$lib/server/cards/status.ts';

/** R-S08: {cardIds, to, note} in one transaction → a summary (changed, unchanged, refused with reasons, notFound). */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, cardStatusBody);
		return json(await changeCardStatuses(appContext(), locals.principal, { ...body, ip: getClientAddress() }));
	});
