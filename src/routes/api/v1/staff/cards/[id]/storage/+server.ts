import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { cardStorageBody, changeCardStorage } from '$lib/server/cards/storage.ts';

/** R-S03: {storageLocationId, boxPosition} → where the card is kept now; audited, kept in its history. */
export const PUT: RequestHandler = ({ request, params, locals, getClientAddress }) =>
	api(async () => {
		const cardId = parseWith(idParam, params.id, 'card id');
		const body = await readJson(request, cardStorageBody);
		return json(await changeCardStorage(appContext(), locals.principal, { ...body, cardId, ip: getClientAddress() }));
	});
