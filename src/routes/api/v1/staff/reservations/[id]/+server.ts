import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { cancelReservationBody, moveReservationBody } from '$lib/server/booking/schemas.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { staffReservationView } from '$lib/server/booking/view.ts';
import { moveStaffReservation } from '$lib/server/booking/move.ts';
import { cancelStaffReservation } from '$lib/server/booking/cancel.ts';

export const GET: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'viewer');
		return json(await staffReservationView(appContext(), locals.principal, parseWith(idParam, params.id, 'reservation id'), { ip: getClientAddress() }));
	});

/** Move to another slot (R-S04, R-C10 for staff). */
export const PATCH: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		const body = await readJson(request, moveReservationBody);
		return json(await moveStaffReservation(appContext(), locals.principal, { reservationId, ...body, ip: getClientAddress() }));
	});

/** Cancel; an optional JSON body may carry a reason for the 操作ログ. */
export const DELETE: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		const hasBody = (request.headers.get('content-length') ?? '0') !== '0' || request.headers.has('transfer-encoding');
		const body = hasBody ? await readJson(request, cancelReservationBody) : {};
		return json(await cancelStaffReservation(appContext(), locals.principal, { reservationId, reason: body.reason ?? null, ip: getClientAddress() }));
	});
