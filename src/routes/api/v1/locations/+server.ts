import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json } from '$lib/server/web/http.ts';
import { listCitizenLocations } from '$lib/server/scheduling/availability.ts';

export const GET: RequestHandler = () => api(async () => json({ locations: await listCitizenLocations(appContext()) }));
