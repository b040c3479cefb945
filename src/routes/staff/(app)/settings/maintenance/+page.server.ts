import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { maintenanceState, setMaintenance } from '$lib/server/citizen/maintenance.ts';
import { attempt, checked, text } from '$lib/server/web/forms.ts';
import { guardActions, requirePageRole } from '$lib/server/web/guard.ts';

/** R-C13: admins switch the citizen site into maintenance with a planned end, or announce it ahead. */
export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return { state: await maintenanceState(appContext()) };
};

/** A `datetime-local` value is Tokyo time; blank means none. */
function tokyoInstant(v: string): Date | null | 'bad' {
	if (!v) return null;
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return 'bad';
	const d = new Date(`${v}:00+09:00`);
	return Number.isNaN(d.getTime()) ? 'bad' : d;
}

export const actions: Actions = guardActions('admin', {
	save: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const from = tokyoInstant(text(f, 'from'));
		const until = tokyoInstant(text(f, 'until'));
		const messageJa = text(f, 'messageJa').slice(0, 500);
		const messageEn = text(f, 'messageEn').slice(0, 500);
		if (from === 'bad' || until === 'bad') {
			const { fail } = await import('@sveltejs/kit');
			return fail(400, { message: '日時の形式が正しくありません。', errors: { [from === 'bad' ? 'from' : 'until']: '日時を選び直してください。' } });
		}
		const r = await attempt(() => setMaintenance(appContext(), locals.principal, { active: checked(f, 'active'), from, until, messageJa, messageEn }, getClientAddress()));
		if (!r.ok) return r.failure;
		return { saved: true };
	}
});
