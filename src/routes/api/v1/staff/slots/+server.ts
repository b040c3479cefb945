import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { staffSlotsQuery } from '$lib/server/scheduling/schemas.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { staffSlots } from '$lib/server/scheduling/capacity.ts';

export const GET: RequestHandler = ({ url, locals }) =>
	api(async () => {
		requireRole(locals.principal, 'viewer');
		const q = parseWith(staffSlotsQuery, searchParams(url), 'query');
		return json({ locationId: q.locationId, date: q.date, slots: await staffSlots(appContext(), locals.principal, q.locationId, q.date) });
	});
