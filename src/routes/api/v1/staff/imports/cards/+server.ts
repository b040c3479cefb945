import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { importQuery } from '$lib/server/cards/schemas.ts';
import { uploadFromRequest } from '$lib/server/cards/upload.ts';
import { importCards } from '$lib/server/cards/import.ts';

/** R-S02: card creation data, all-or-nothing; 422 lists every bad row with its line number. */
export const POST: RequestHandler = ({ request, url, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'clerk'); // before reading a possibly large body
		const q = parseWith(importQuery, searchParams(url), 'query');
		const upload = await uploadFromRequest(request, q.encoding);
		return json(await importCards(appContext(), locals.principal, { ...upload, ip: getClientAddress() }));
	});
