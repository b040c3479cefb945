import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { personNoteBody } from '$lib/server/checkin/schemas.ts';
import { personNotes, setPersonNote } from '$lib/server/notes/notes.ts';

/** R-S14: a person's staff note and its history (viewer+). */
export const GET: RequestHandler = ({ params, locals }) =>
	api(async () => json(await personNotes(appContext(), locals.principal, parseWith(idParam, params.cardId, 'card id'))));

/** R-S14: replaces the note (an empty body clears it); the old text stays in the history (clerk+). */
export const PUT: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const cardId = parseWith(idParam, params.cardId, 'card id');
		const { body } = await readJson(request, personNoteBody);
		return json(await setPersonNote(appContext(), locals.principal, { cardId, body, ip: getClientAddress() }));
	});
