import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, readJson } from '$lib/server/web/http.ts';
import { idParam } from '$lib/server/schemas.ts';
import { capacityPatchBody } from '$lib/server/scheduling/schemas.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { setSlotCapacity } from '$lib/server/scheduling/capacity.ts';

export const PATCH: RequestHandler = ({ params, request, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'supervisor');
		const slotId = parseWith(idParam, params.id, 'slot id');
		const body = await readJson(request, capacityPatchBody);
		const slot = await setSlotCapacity(appContext(), locals.principal, { slotId, ...body, ip: getClientAddress() });
		return json(slot);
	});
