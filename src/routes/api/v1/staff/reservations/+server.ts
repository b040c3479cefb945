import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson, searchParams } from '$lib/server/web/http.ts';
import { staffReservationBody } from '$lib/server/booking/schemas.ts';
import { createStaffReservation } from '$lib/server/booking/staff-book.ts';
import { reservationSearchQuery } from '$lib/server/checkin/schemas.ts';
import { searchReservations } from '$lib/server/reservations/search.ts';

/** R-S04 staff booking; R-S05 override with a reason (supervisor, admin). */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, staffReservationBody);
		const r = await createStaffReservation(appContext(), locals.principal, { ...body, ip: getClientAddress() });
		return json(r, { status: 201 });
	});

/** R-S04 R-S09: find bookings by number, QR code, notice ID or name kana, within a location/day/status (viewer+). */
export const GET: RequestHandler = ({ url, locals }) =>
	api(async () => {
		const q = parseWith(reservationSearchQuery, searchParams(url), 'query');
		return json(await searchReservations(appContext(), locals.principal, q));
	});
