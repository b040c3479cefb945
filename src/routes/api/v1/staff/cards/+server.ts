import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { cardSearchQuery } from '$lib/server/cards/schemas.ts';
import { listCards } from '$lib/server/cards/search.ts';

/** R-S09: `?status=&q=&limit=&offset=` as before, plus noticeId, kana, storageLocationId, locationId, purposeId, from, to, sort, dir. */
export const GET: RequestHandler = ({ url, locals }) =>
	api(async () => {
		const q = parseWith(cardSearchQuery, searchParams(url), 'query');
		return json(await listCards(appContext(), locals.principal, q));
	});
