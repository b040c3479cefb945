import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { listPurposes, savePurpose } from '$lib/server/scheduling/purposes.ts';
import { attempt, checked, int, text } from '$lib/server/web/forms.ts';
import { guardActions, requirePageRole } from '$lib/server/web/guard.ts';

export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return { list: await listPurposes(appContext()) };
};

/** R-S17 purposes; R-C08 their precautions, editable by staff. */
export const actions: Actions = guardActions('admin', {
	default: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const key = text(f, 'id');
		const input = {
			code: text(f, 'code'),
			nameJa: text(f, 'nameJa'),
			nameEn: text(f, 'nameEn'),
			durationSlots: int(f, 'durationSlots'),
			precautionsJa: text(f, 'precautionsJa'),
			precautionsEn: text(f, 'precautionsEn'),
			active: checked(f, 'active'),
			sortOrder: Number.isNaN(int(f, 'sortOrder')) ? 0 : int(f, 'sortOrder')
		};
		const r = await attempt(() => savePurpose(appContext(), locals.principal, key === 'new' ? null : Number(key), input, getClientAddress()), { key, values: input });
		if (!r.ok) return r.failure;
		return { key, saved: true, report: null };
	}
});
