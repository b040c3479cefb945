import type { RequestHandler } from './$types';
import { z } from 'zod';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { markIssued } from '$lib/server/checkin/cards.ts';

const body = z.strictObject({ note: z.string().trim().max(500).optional() });

export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const reservationId = parseWith(idParam, params.id, 'reservation id');
		const cardId = parseWith(idParam, params.cardId, 'card id');
		const { note } = request.headers.get('content-length') === '0' || !request.body ? { note: undefined } : await readJson(request, body);
		return json(await markIssued(appContext(), locals.principal, { reservationId, cardId, note, ip: getClientAddress() }));
	});
