import type { RequestHandler } from './$types';
import { z } from 'zod';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { getCitySettings, updateCitySettings } from '$lib/server/city/settings.ts';

/** R-S18: the city-wide settings (admins). */
export const GET: RequestHandler = ({ locals }) => api(async () => json(await getCitySettings(appContext(), locals.principal)), locals.lang);

/** Any subset; answers the whole new settings. The body is validated by the use case (400 naming each bad field). */
export const PUT: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const body = await readJson(request, z.unknown());
		return json(await updateCitySettings(appContext(), locals.principal, body, { ip: getClientAddress(), lang: locals.lang }));
	}, locals.lang);
