import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { createLocation } from '$lib/server/scheduling/settings.ts';
import { attempt, locationFields } from '$lib/server/web/forms.ts';
import { guardActions, requirePageRole } from '$lib/server/web/guard.ts';

export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	const ctx = appContext();
	const places = await locations.list(ctx);
	return {
		all: places.map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa, citizenBookable: l.citizenBookable }))
	};
};

export const actions: Actions = guardActions('admin', {
	createLocation: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const input = locationFields(f);
		const r = await attempt(() => createLocation(appContext(), locals.principal, input, getClientAddress()), { form: 'location', values: input });
		if (!r.ok) return r.failure;
		return { form: 'location', saved: true, createdId: r.value.id, report: r.value.report };
	}
});
