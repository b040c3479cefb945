import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { HOLD_COOKIE, viewHold } from '$lib/server/citizen/hold-view.ts';
import { cancelHold, confirmHold } from '$lib/server/booking/holds.ts';
import { confirmHoldBody, uuidParam } from '$lib/server/schemas.ts';
import { isAppError } from '$lib/server/errors.ts';
import { zodFieldErrors } from '$lib/server/http.ts';

export const load: PageServerLoad = async ({ params, cookies }) => {
	const id = uuidParam.safeParse(params.holdId);
	try {
		if (!id.success) throw new Error('bad id');
		return { hold: await viewHold(appContext(), id.data, cookies.get(HOLD_COOKIE(id.data))), gone: null };
	} catch (e) {
		if (!id.success || isAppError(e)) return { hold: null, gone: 'お取り置きの時間が過ぎたか、取り消されました。もう一度時間を選んでください。' };
		throw e;
	}
};

export const actions: Actions = {
	/** R-C08 then R-C03/R-C12: precautions acknowledged, persons verified, the hold becomes the booking. */
	confirm: async ({ params, request, cookies, getClientAddress }) => {
		const holdId = params.holdId;
		const f = await request.formData();
		const count = Number(f.get('partySize') ?? 1);
		const persons = Array.from({ length: Math.min(Math.max(count, 1), 5) }, (_, i) => ({
			noticeId: String(f.get(`noticeId${i}`) ?? '').trim(),
			birthDate: String(f.get(`birthDate${i}`) ?? '')
		}));
		const email = String(f.get('email') ?? '').trim();
		const values = { persons, email };
		const parsed = confirmHoldBody.safeParse({
			holdToken: cookies.get(HOLD_COOKIE(holdId)) ?? 'missing-token-missing-token',
			persons,
			...(email ? { email } : {}),
			acknowledgedPrecautions: f.get('ack') === 'on'
		});
		if (!parsed.success) return fail(400, { values, errors: zodFieldErrors(parsed.error), message: '入力内容を確認してください。' });
		try {
			const r = await confirmHold(appContext(), holdId, { ...parsed.data, email: parsed.data.email ?? null, ip: getClientAddress() });
			cookies.delete(HOLD_COOKIE(holdId), { path: '/' });
			return { done: r };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { values, errors: e.errors, message: e.message });
			throw e;
		}
	},
	cancel: async ({ params, cookies, url }) => {
		const holdId = params.holdId;
		const token = cookies.get(HOLD_COOKIE(holdId));
		const hold = token ? await viewHold(appContext(), holdId, token).catch(() => null) : null;
		if (token) await cancelHold(appContext(), holdId, token).catch(() => undefined);
		cookies.delete(HOLD_COOKIE(holdId), { path: '/' });
		const lang = url.searchParams.get('lang') === 'en' ? '?lang=en' : '';
		redirect(303, hold ? `/locations/${hold.locationId}/day/${hold.startsAt.slice(0, 10)}${lang}` : `/${lang}`);
	}
};
