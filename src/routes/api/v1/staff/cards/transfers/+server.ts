import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { markTransfers, transferMarkBody } from '$lib/server/cards/transfers.ts';

/** R-S03: {cardIds, sent} → the cards marked 回送済 (or unmarked) in one transaction: {sent, changed, unchanged}. */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, transferMarkBody);
		return json(await markTransfers(appContext(), locals.principal, { ...body, ip: getClientAddress() }));
	});
