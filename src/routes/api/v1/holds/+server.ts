import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { holdBody } from '$lib/server/citizen/schemas.ts';
import { createHold } from '$lib/server/booking/holds.ts';
import { requireCitizen } from '$lib/server/citizen/session.ts';

/** R-C15 with R-C03: a citizen session holds a time for verified persons while reading the precautions (R-C08). */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const citizen = requireCitizen(locals.citizen);
		const body = await readJson(request, holdBody);
		const h = await createHold(appContext(), citizen, body, getClientAddress());
		return json(h, { status: 201, headers: { 'cache-control': 'no-store' } });
	}, locals.lang);
