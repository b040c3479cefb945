import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith } from '$lib/server/web/http.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { revokeBoardToken } from '$lib/server/board/tokens.ts';

export const DELETE: RequestHandler = ({ params, locals, getClientAddress }) =>
	api(async () => {
		const id = parseWith(locationIdParam, params.id, 'board token id');
		await revokeBoardToken(appContext(), locals.principal, { id, ip: getClientAddress() });
		return new Response(null, { status: 204 });
	});
