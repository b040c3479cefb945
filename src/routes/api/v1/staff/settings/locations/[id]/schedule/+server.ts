import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { schedulePatchBody } from '$lib/server/scheduling/schemas.ts';
import { saveSchedule, scheduleFor } from '$lib/server/scheduling/settings.ts';

/** R-S06 / R-S07 / R-S17: a location's schedule settings (admins). */
export const GET: RequestHandler = ({ params, locals }) =>
	api(async () => json(await scheduleFor(appContext(), locals.principal, parseWith(locationIdParam, params.id, 'location id'))));

/** Saves the parts given; the slots are regenerated in the same transaction and the report returned. */
export const PATCH: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		const locationId = parseWith(locationIdParam, params.id, 'location id');
		const body = await readJson(request, schedulePatchBody);
		return json(await saveSchedule(appContext(), locals.principal, locationId, body, getClientAddress()));
	});
