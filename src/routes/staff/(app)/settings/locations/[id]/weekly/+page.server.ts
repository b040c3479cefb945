import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { saveSchedule } from '$lib/server/scheduling/settings.ts';
import { attempt, text } from '$lib/server/web/forms.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { guardActions } from '$lib/server/web/guard.ts';

/** R-S06: which pattern each weekday uses, or closed. Holidays and 12/29–1/3 stay closed unless opened by date. */
export const actions: Actions = guardActions('admin', {
	default: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const weekly = Array.from({ length: 7 }, (_, d) => text(f, `day${d}`) || null);
		const r = await attempt(() => saveSchedule(appContext(), locals.principal, locationIdParam.parse(params.id), { weekly }, getClientAddress()));
		if (!r.ok) return r.failure;
		return { saved: true, report: r.value.report };
	}
});
