import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith } from '$lib/server/web/http.ts';
import { uuidParam } from '$lib/server/schemas.ts';
import { cancelHold } from '$lib/server/booking/holds.ts';
import { requireCitizen } from '$lib/server/citizen/session.ts';

/** The citizen gives the held time back (R-C15). */
export const DELETE: RequestHandler = ({ params, locals }) =>
	api(async () => {
		const citizen = requireCitizen(locals.citizen);
		const holdId = parseWith(uuidParam, params.id, 'hold id');
		await cancelHold(appContext(), citizen, holdId);
		return new Response(null, { status: 204 });
	}, locals.lang);
