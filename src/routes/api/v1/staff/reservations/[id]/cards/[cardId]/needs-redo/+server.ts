import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { needsRedoBody } from '$lib/server/checkin/schemas.ts';
import { markNeedsRedo } from '$lib/server/checkin/cards.ts';

/** R-S08 R-S15: 来庁 → 不備・再手続, with a note (clerk+). */
export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		const cardId = parseWith(idParam, params.cardId, 'card id');
		const { note } = await readJson(request, needsRedoBody);
		return json(await markNeedsRedo(appContext(), locals.principal, { reservationId, cardId, note, ip: getClientAddress() }));
	});
