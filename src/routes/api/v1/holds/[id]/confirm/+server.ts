import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { uuidParam } from '$lib/server/schemas.ts';
import { confirmHoldBody } from '$lib/server/citizen/schemas.ts';
import { confirmHold } from '$lib/server/booking/holds.ts';
import { requireCitizen } from '$lib/server/citizen/session.ts';

/** R-C15 → booking once the precautions are acknowledged (R-C08); the confirmation mail follows (R-C09). */
export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const citizen = requireCitizen(locals.citizen);
		const holdId = parseWith(uuidParam, params.id, 'hold id');
		await readJson(request, confirmHoldBody);
		const r = await confirmHold(appContext(), citizen, holdId, getClientAddress());
		return json(r, { status: 201, headers: { 'cache-control': 'no-store' } });
	}, locals.lang);
