import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { saveSchedule, updateLocation } from '$lib/server/scheduling/settings.ts';
import { attempt, locationFields } from '$lib/server/forms.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { guardActions, requirePageRole } from '$lib/server/auth/guard.ts';

export const actions: Actions = guardActions('admin', {
	basics: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const input = locationFields(f);
		const r = await attempt(() => updateLocation(appContext(), locals.principal, locationIdParam.parse(params.id), input, getClientAddress()), { form: 'basics' });
		if (!r.ok) return r.failure;
		return { form: 'basics', saved: true, report: null };
	},
	purposes: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const ids = f.getAll('purposeId').map((v) => Number(v)).filter((n) => Number.isInteger(n));
		const r = await attempt(() => saveSchedule(appContext(), locals.principal, locationIdParam.parse(params.id), { purposeIds: ids }, getClientAddress()), { form: 'purposes' });
		if (!r.ok) return r.failure;
		return { form: 'purposes', saved: true, report: r.value.report };
	}
});
