import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { saveSchedule } from '$lib/server/scheduling/settings.ts';
import { attempt, int, text } from '$lib/server/web/forms.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { guardActions } from '$lib/server/web/guard.ts';

/** R-S07: earliest day for citizens and for staff (same-day cut-off), latest day by days or a fixed date. */
export const actions: Actions = guardActions('admin', {
	default: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const maxMode = text(f, 'maxMode') === 'date' ? ('date' as const) : ('days' as const);
		const window = {
			citizenMinDaysAhead: int(f, 'citizenMinDaysAhead'),
			staffMinDaysAhead: int(f, 'staffMinDaysAhead'),
			staffSameDayCutoff: text(f, 'staffSameDayCutoff'),
			maxMode,
			maxDaysAhead: maxMode === 'days' ? int(f, 'maxDaysAhead') : 60,
			maxDate: maxMode === 'date' ? text(f, 'maxDate') || null : null
		};
		const r = await attempt(() => saveSchedule(appContext(), locals.principal, locationIdParam.parse(params.id), { window }, getClientAddress()), { values: window });
		if (!r.ok) return r.failure;
		return { saved: true, report: r.value.report };
	}
});
