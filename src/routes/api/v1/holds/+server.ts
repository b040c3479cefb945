import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/http.ts';
import { holdBody } from '$lib/server/schemas.ts';
import { createHold } from '$lib/server/booking/holds.ts';

/** R-C15: a citizen picks a time; it is held for them while they read the precautions (R-C08). */
export const POST: RequestHandler = ({ request }) =>
	api(async () => {
		const body = await readJson(request, holdBody);
		const h = await createHold(appContext(), body);
		return json(h, { status: 201, headers: { 'cache-control': 'no-store' } });
	});
