import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith } from '$lib/server/web/http.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { locationPurposes } from '$lib/server/scheduling/public.ts';

/** R-S17 / R-C08: the purposes a citizen may book here, each with its precautions. */
export const GET: RequestHandler = ({ params, locals }) =>
	api(async () => json(await locationPurposes(appContext(), parseWith(locationIdParam, params.id, 'location id'))), locals.lang);
