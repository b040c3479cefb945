import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { boardTokenBody } from '$lib/server/board/schemas.ts';
import { issueBoardToken, listBoardTokens } from '$lib/server/board/tokens.ts';

export const GET: RequestHandler = ({ locals }) => api(async () => json({ tokens: await listBoardTokens(appContext(), locals.principal) }));

export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, boardTokenBody);
		return json(await issueBoardToken(appContext(), locals.principal, { ...body, ip: getClientAddress() }), { status: 201 });
	});
