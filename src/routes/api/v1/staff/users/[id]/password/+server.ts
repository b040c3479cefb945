import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { passwordResetBody, userIdParam } from '$lib/server/users/schemas.ts';
import { resetPassword } from '$lib/server/users/write.ts';

/** R-S01: {password} or {generate: true}; unlocks the account. A generated password is in the answer once. */
export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const id = parseWith(userIdParam, params.id, 'user id');
		const body = await readJson(request, passwordResetBody);
		return json(await resetPassword(appContext(), locals.principal, id, body, getClientAddress()));
	});
