import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/http.ts';
import { staffReservationBody } from '$lib/server/schemas.ts';
import { createStaffReservation } from '$lib/server/booking/staff-book.ts';

/** R-S04 staff booking; R-S05 override with a reason (supervisor, admin). */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, staffReservationBody);
		const r = await createStaffReservation(appContext(), locals.principal, { ...body, ip: getClientAddress() });
		return json(r, { status: 201 });
	});
