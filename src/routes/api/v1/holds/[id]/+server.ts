import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith, readJson } from '$lib/server/http.ts';
import { holdTokenBody, uuidParam } from '$lib/server/schemas.ts';
import { cancelHold } from '$lib/server/booking/holds.ts';

/** The citizen gives the held time back. The token comes in the body, or in X-Hold-Token. */
export const DELETE: RequestHandler = ({ params, request }) =>
	api(async () => {
		const holdId = parseWith(uuidParam, params.id, 'hold id');
		const header = request.headers.get('x-hold-token');
		const { holdToken } = header ? parseWith(holdTokenBody, { holdToken: header }, 'X-Hold-Token') : await readJson(request, holdTokenBody);
		await cancelHold(appContext(), holdId, holdToken);
		return new Response(null, { status: 204 });
	});
