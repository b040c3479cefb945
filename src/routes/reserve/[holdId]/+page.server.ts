import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { holdOutcome, viewHold, HOLD_GONE } from '$lib/server/citizen/hold-view.ts';
import { cancelHold, confirmHold, extendHold } from '$lib/server/booking/holds.ts';
import { clearDraft } from '$lib/server/citizen/draft.ts';
import { uuidParam } from '$lib/server/schemas.ts';
import { isAppError } from '$lib/server/errors.ts';

/** R-C15 R-C08: the held time, the precautions to acknowledge, and the confirm button. */
export const load: PageServerLoad = async ({ params, locals }) => {
	const en = locals.lang === 'en';
	const id = uuidParam.safeParse(params.holdId);
	if (!locals.citizen) return { hold: null, booked: null, gone: en ? 'Please start from the link we sent to your email address.' : 'メールでお送りしたリンクから手続きを始めてください。', backTo: '/' };
	if (!id.success) return { hold: null, booked: null, gone: en ? HOLD_GONE.en : HOLD_GONE.ja, backTo: '/book' };
	try {
		return { hold: await viewHold(appContext(), locals.citizen, id.data), booked: null, gone: null, backTo: null };
	} catch (e) {
		if (!isAppError(e)) throw e;
	}
	// Back after confirming: the booking is made, so say so and open it (R-C09; a redirect here
	// would not change the address on a Back, so the page moves on itself). An expired hold leads
	// back to its day, where the persons already checked are still chosen (R-C15).
	const outcome = await holdOutcome(appContext(), locals.citizen, id.data);
	if (outcome?.kind === 'booked') return { hold: null, booked: { managePath: outcome.managePath, bookingNumber: outcome.bookingNumber }, gone: null, backTo: null };
	return { hold: null, booked: null, gone: en ? HOLD_GONE.en : HOLD_GONE.ja, backTo: outcome?.dayPath ?? '/book' };
};

const message = (e: { message: string; en?: string }, en: boolean) => (en && e.en ? e.en : e.message);

export const actions: Actions = {
	/** R-C08: only with the precautions acknowledged; then the booking and its mail (R-C09). */
	confirm: async ({ params, request, locals, getClientAddress }) => {
		const en = locals.lang === 'en';
		if (!locals.citizen) return fail(401, { field: null, reason: null, message: en ? 'Your session has ended. Please start again from the link in your mail.' : '手続きの有効期限が切れました。メールのリンクからやり直してください。' });
		const f = await request.formData();
		if (f.get('ack') !== 'on') return fail(400, { message: en ? 'Please read the notes and tick the box to confirm you have read them.' : '注意事項をお読みのうえ、「確認しました」にチェックを入れてください。', field: 'ack', reason: null });
		let manageUrl: string;
		try {
			const r = await confirmHold(appContext(), locals.citizen, params.holdId, getClientAddress());
			await clearDraft(appContext(), locals.citizen);
			manageUrl = r.manageUrl;
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { field: null, message: message(e, en), reason: (e.extra.reason as string | undefined) ?? null });
			throw e;
		}
		redirect(303, `${new URL(manageUrl).pathname}?done=1`);
	},
	/** WCAG 2.2.1: more time, twice at most. */
	extend: async ({ params, locals }) => {
		const en = locals.lang === 'en';
		if (!locals.citizen) return fail(401, { message: en ? 'Your session has ended.' : '手続きの有効期限が切れました。' });
		try {
			const r = await extendHold(appContext(), locals.citizen, params.holdId);
			return { extended: r.expiresAt };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: message(e, en) });
			throw e;
		}
	},
	cancel: async ({ params, locals }) => {
		if (locals.citizen) {
			const hold = await viewHold(appContext(), locals.citizen, params.holdId).catch(() => null);
			await cancelHold(appContext(), locals.citizen, params.holdId).catch(() => undefined);
			if (hold) redirect(303, `/locations/${hold.locationId}/day/${hold.startsAt.slice(0, 10)}`);
		}
		redirect(303, '/book');
	}
};
