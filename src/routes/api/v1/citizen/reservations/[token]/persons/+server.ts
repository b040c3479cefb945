import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { managePersonBody, manageTokenParam } from '$lib/server/citizen/schemas.ts';
import { addManagedPerson } from '$lib/server/citizen/manage.ts';

/** R-C10 R-C07: add a household member, verified like everyone (R-C03, R-C14); the change mail follows. */
export const POST: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const token = parseWith(manageTokenParam, params.token, 'manage token');
		const body = await readJson(request, managePersonBody);
		return json(await addManagedPerson(appContext(), token, body, getClientAddress()), { status: 201 });
	}, locals.lang);
