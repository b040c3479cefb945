import type { RequestHandler } from './$types';
import { z } from 'zod';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { getLocationPlace, updateLocationPlace } from '$lib/server/city/location-place.ts';

/** R-S18: a location's address and access directions, ja and en (admins). */
export const GET: RequestHandler = ({ params, locals }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		return json(await getLocationPlace(appContext(), locals.principal, parseWith(locationIdParam, params.id, 'location id')));
	}, locals.lang);

export const PUT: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const id = parseWith(locationIdParam, params.id, 'location id');
		const body = await readJson(request, z.unknown());
		return json(await updateLocationPlace(appContext(), locals.principal, id, body, { ip: getClientAddress(), lang: locals.lang }));
	}, locals.lang);
