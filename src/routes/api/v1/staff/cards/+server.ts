import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/http.ts';
import { cardsQuery } from '$lib/server/schemas.ts';
import { listCards } from '$lib/server/cards.ts';

export const GET: RequestHandler = ({ url, locals }) =>
	api(async () => {
		const q = parseWith(cardsQuery, searchParams(url), 'query');
		return json(await listCards(appContext(), locals.principal, q));
	});
