import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { checkIn } from '$lib/server/checkin/checkin.ts';

export const POST: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		return json(await checkIn(appContext(), locals.principal, { reservationId, ip: getClientAddress() }));
	});
