import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { resendReservationMail } from '$lib/server/mail/resend.ts';

/** Sends the booking mail again (clerk and above): 202 once the mail is queued (R-C09). */
export const POST: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		return json(await resendReservationMail(appContext(), locals.principal, { reservationId, ip: getClientAddress() }), { status: 202 });
	});
