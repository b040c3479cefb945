import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { attempt, int, text } from '$lib/server/web/forms.ts';
import { requirePageRole } from '$lib/server/web/guard.ts';
import { listSettings, MAIL_VARIABLES, saveLeadDays, saveNoShowMailTexts } from '$lib/server/lists/settings.ts';

// The role first: the layout's check does not stop this load (…/__data.json runs it), and the use
// case's own refusal thrown from a load would be a 500 with an error line instead of a 403.
export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return { settings: await listSettings(appContext(), locals.principal), variables: [...MAIL_VARIABLES] };
};

/** R-S11 lead days of transfers; R-S13 the no-show follow-up mail's texts. Admins (the settings layout and each use case check). */
export const actions: Actions = {
	leadDays: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const pairs = [...f.keys()]
			.map((k) => /^d_(\d+)_(\d+)$/.exec(k))
			.filter((m): m is RegExpExecArray => m !== null)
			.map((m) => ({ from: Number(m[1]), to: Number(m[2]), days: text(f, m[0]) === '' ? null : int(f, m[0]) }));
		const r = await attempt(() => saveLeadDays(appContext(), locals.principal, { defaultDays: int(f, 'defaultDays'), pairs }, getClientAddress()), { form: 'leadDays' });
		if (!r.ok) return r.failure;
		return { form: 'leadDays', saved: true };
	},
	mail: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const reset = f.get('reset') === '1';
		const input = reset
			? null
			: { ja: { subject: text(f, 'subject_ja'), body: String(f.get('body_ja') ?? '') }, en: { subject: text(f, 'subject_en'), body: String(f.get('body_en') ?? '') } };
		const r = await attempt(() => saveNoShowMailTexts(appContext(), locals.principal, input, getClientAddress()), { form: 'mail', values: input });
		if (!r.ok) return r.failure;
		return { form: 'mail', saved: true };
	}
};
