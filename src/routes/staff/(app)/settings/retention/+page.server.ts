import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { retentionPreview, retentionPurgeNow, retentionRules, saveRetentionRules } from '$lib/server/ops/retention.ts';
import { attempt, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { DAY_RULES } from '$lib/server/ops/retention-rules.ts';

/** R-O09: the city's retention rules, a dry-run count of what they remove, and a purge now. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.principal || !hasRole(locals.principal.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	const ctx = appContext();
	return {
		rules: await retentionRules(ctx),
		preview: await retentionPreview(ctx, locals.principal),
		dayRules: DAY_RULES.map((d) => ({ key: d.key, label: d.label, min: d.min, max: d.max, defaultDays: d.defaultDays, targets: d.targets.map((x) => ({ table: x.table, what: x.what })) }))
	};
};

const optInt = (v: string) => (v === '' ? null : /^\d+$/.test(v) ? Number(v) : Number.NaN);

export const actions: Actions = {
	save: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const days = Object.fromEntries(DAY_RULES.map((d) => [d.key, optInt(text(f, d.key))]));
		// what was typed goes back with a refusal, so the field shows the value its message is about
		const values = Object.fromEntries(['reservationMonths', 'auditYears', ...DAY_RULES.map((d) => d.key)].map((k) => [k, text(f, k).slice(0, 10)]));
		const r = await attempt(
			() => saveRetentionRules(appContext(), locals.principal, { reservationMonths: optInt(text(f, 'reservationMonths')), auditYears: optInt(text(f, 'auditYears')), ...days }, getClientAddress()),
			{ values }
		);
		if (!r.ok) return r.failure;
		return { saved: true };
	},
	purge: async ({ locals, getClientAddress }) => {
		const r = await attempt(() => retentionPurgeNow(appContext(), locals.principal, getClientAddress()));
		if (!r.ok) return r.failure;
		return { purged: r.value };
	}
};
