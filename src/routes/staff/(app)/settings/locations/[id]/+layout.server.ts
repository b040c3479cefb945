import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { scheduleFor } from '$lib/server/scheduling/settings.ts';
import { listPurposes } from '$lib/server/scheduling/purposes.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { requirePageRole } from '$lib/server/web/guard.ts';

export const load: LayoutServerLoad = async ({ params, locals, parent }) => {
	requirePageRole(locals.principal, 'admin');
	await parent();
	const ctx = appContext();
	const id = locationIdParam.safeParse(params.id);
	const loc = id.success ? await locations.get(ctx, id.data) : null;
	if (!loc) error(404, '指定された交付場所が見つかりません。');
	const schedule = await scheduleFor(ctx, locals.principal, loc.id);
	return {
		location: { id: loc.id, code: loc.code, nameJa: loc.nameJa, nameEn: loc.nameEn, addressJa: loc.addressJa, addressEn: loc.addressEn, accessJa: loc.accessJa, accessEn: loc.accessEn, citizenBookable: loc.citizenBookable, sortOrder: loc.sortOrder },
		schedule: { rules: schedule.rules, window: schedule.window, purposeIds: schedule.purposeIds },
		purposes: (await listPurposes(ctx)).map((p) => ({ id: p.id, nameJa: p.nameJa, active: p.active }))
	};
};
