import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { bulkProgress, previewBulk, sendBulk, PLACEHOLDERS, type BulkDraft } from '$lib/server/mail/bulk.ts';
import { attempt, int, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';

/** R-S12 一斉メール: compose, choose by a search, preview one and the count, send, follow progress. */
export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.principal || !hasRole(locals.principal.role, 'supervisor')) error(403, 'この画面は監督者・管理者のみ利用できます。');
	const ctx = appContext();
	const places = await locations.list(ctx);
	const progress = await bulkProgress(ctx, locals.principal);
	// a set chosen elsewhere (closing a day lists its bookings and links here with that day and location)
	const q = (k: string) => url.searchParams.get(k) ?? '';
	const day = /^\d{4}-\d{2}-\d{2}$/;
	const presetLoc = Number(q('locationId'));
	const preset = {
		locationId: places.some((l) => l.id === presetLoc) ? presetLoc : null,
		from: day.test(q('from')) ? q('from') : null,
		to: day.test(q('to')) ? q('to') : day.test(q('from')) ? q('from') : null
	};
	return {
		preset,
		today: tokyoDateOf(ctx.now()),
		placeholders: PLACEHOLDERS,
		locations: places.map((l) => ({ id: l.id, nameJa: l.nameJa })),
		progress: progress.map((p) => ({ ...p, id: String(p.id), created_at: new Date(p.created_at).toISOString() }))
	};
};

function draft(f: FormData): BulkDraft {
	const loc = int(f, 'locationId');
	return { subject: text(f, 'subject'), body: String(f.get('body') ?? '').replace(/\r\n/g, '\n'), criteria: { locationId: Number.isInteger(loc) && loc > 0 ? loc : null, from: text(f, 'from'), to: text(f, 'to') || text(f, 'from') } };
}

export const actions: Actions = {
	preview: async ({ request, locals }) => {
		const d = draft(await request.formData());
		const r = await attempt(() => previewBulk(appContext(), locals.principal, d), { values: d });
		if (!r.ok) return r.failure;
		return { values: d, preview: r.value };
	},
	send: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const d = draft(f);
		const expected = int(f, 'expected');
		const r = await attempt(() => sendBulk(appContext(), locals.principal, d, getClientAddress()), { values: d });
		if (!r.ok) return r.failure;
		return { values: d, sent: r.value, expected };
	}
};
