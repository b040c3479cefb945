import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { createUserBody } from '$lib/server/users/schemas.ts';
import { listUsers } from '$lib/server/users/view.ts';
import { createUser } from '$lib/server/users/write.ts';

/** R-S01: staff users, admins only. */
export const GET: RequestHandler = ({ locals }) => api(async () => json({ users: await listUsers(appContext(), locals.principal) }));

export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const body = await readJson(request, createUserBody);
		return json(await createUser(appContext(), locals.principal, body, getClientAddress()), { status: 201 });
	});
