import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { updateUserBody, userIdParam } from '$lib/server/users/schemas.ts';
import { updateUser } from '$lib/server/users/write.ts';

/** R-S01: change name, role, served locations; disable (ends the user's sessions) or enable. */
export const PATCH: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const id = parseWith(userIdParam, params.id, 'user id');
		const body = await readJson(request, updateUserBody);
		return json({ user: await updateUser(appContext(), locals.principal, id, body, getClientAddress()) });
	});
