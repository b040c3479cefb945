import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { undoIssue } from '$lib/server/checkin/cards.ts';

/** Takes back a 交付済 recorded by mistake, within a few minutes; audited (clerk+). */
export const POST: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		const cardId = parseWith(idParam, params.cardId, 'card id');
		return json(await undoIssue(appContext(), locals.principal, { reservationId, cardId, ip: getClientAddress() }));
	});
