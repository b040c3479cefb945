import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { addContact, currentBanner, endBanner, listContacts, recentNotices, removeContact, sendEmergencyNotice } from '$lib/server/ops/emergency.ts';
import { attempt, checked, int, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';

/** R-O07: emergency notice — one message to every emergency contact at once, optionally a live banner. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.principal || !hasRole(locals.principal.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	const ctx = appContext();
	const [contacts, notices, banner] = await Promise.all([listContacts(ctx, locals.principal), recentNotices(ctx, locals.principal), currentBanner(ctx, true)]);
	return {
		contacts,
		banner,
		notices: notices.map((n) => ({ id: String(n.id), message: n.message_ja, banner: n.banner, recipients: n.recipients, by: n.created_by, at: new Date(n.created_at).toISOString(), ended: !!n.ended_at }))
	};
};

export const actions: Actions = {
	send: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const r = await attempt(() => sendEmergencyNotice(appContext(), locals.principal, { messageJa: text(f, 'messageJa'), messageEn: text(f, 'messageEn'), banner: checked(f, 'banner') }, getClientAddress()), { form: 'send' });
		if (!r.ok) return r.failure;
		return { form: 'send', sent: r.value.recipients };
	},
	endBanner: async ({ locals, getClientAddress }) => {
		const r = await attempt(() => endBanner(appContext(), locals.principal, getClientAddress()), { form: 'banner' });
		if (!r.ok) return r.failure;
		return { form: 'banner', ended: true };
	},
	addContact: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const r = await attempt(() => addContact(appContext(), locals.principal, { name: text(f, 'name'), email: text(f, 'email') }, getClientAddress()), { form: 'contact' });
		if (!r.ok) return r.failure;
		return { form: 'contact', saved: true };
	},
	removeContact: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const id = int(f, 'id');
		if (!Number.isInteger(id) || id <= 0) error(400, '連絡先が正しくありません。');
		const r = await attempt(() => removeContact(appContext(), locals.principal, id, getClientAddress()), { form: 'contact' });
		if (!r.ok) return r.failure;
		return { form: 'contact', saved: true };
	}
};
