import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/http.ts';
import { confirmHoldBody, uuidParam } from '$lib/server/schemas.ts';
import { confirmHold } from '$lib/server/booking/holds.ts';

/** R-C15 → booking: persons verified by notice ID + birth date (R-C03), precautions acknowledged (R-C08). */
export const POST: RequestHandler = ({ params, request, getClientAddress }) =>
	api(async () => {
		const holdId = parseWith(uuidParam, params.id, 'hold id');
		const body = await readJson(request, confirmHoldBody);
		const r = await confirmHold(appContext(), holdId, { holdToken: body.holdToken, persons: body.persons, email: body.email ?? null, ip: getClientAddress() });
		return json(r, { status: 201, headers: { 'cache-control': 'no-store' } });
	});
