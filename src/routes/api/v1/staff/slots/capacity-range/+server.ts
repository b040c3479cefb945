import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { capacityRangeBody } from '$lib/server/scheduling/schemas.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { setRangeCapacity } from '$lib/server/scheduling/capacity.ts';

/** R-S05 / R-S06: a supervisor sets the capacity of every slot in a time range of one day. */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'supervisor');
		const body = await readJson(request, capacityRangeBody);
		return json(await setRangeCapacity(appContext(), locals.principal, { ...body, ip: getClientAddress() }));
	});
