import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { availabilityRange } from '$lib/server/availability.ts';
import { locationPurposes } from '$lib/server/scheduling/public.ts';
import { createHold } from '$lib/server/booking/holds.ts';
import { HOLD_COOKIE } from '$lib/server/citizen/hold-view.ts';
import { dateString, holdBody, locationIdParam } from '$lib/server/schemas.ts';
import { isAppError } from '$lib/server/errors.ts';

export const load: PageServerLoad = async ({ params }) => {
	const ctx = appContext();
	const id = locationIdParam.safeParse(params.id);
	const date = dateString.safeParse(params.date);
	if (!id.success || !date.success) error(404, 'ページが見つかりません。');
	try {
		const [location, availability, offer] = await Promise.all([
			ctx.db.models.Location.findByPk(id.data),
			availabilityRange(ctx, id.data, date.data, date.data),
			locationPurposes(ctx, id.data)
		]);
		return {
			location: { id: location!.id, nameJa: location!.nameJa, nameEn: location!.nameEn },
			date: date.data,
			slots: availability.slots,
			version: availability.version,
			purposes: offer.purposes,
			maxPersons: offer.maxPersons
		};
	} catch (e) {
		if (isAppError(e) && e.status === 404) error(404, e.message);
		throw e;
	}
};

export const actions: Actions = {
	/** R-C15: holding the chosen time; the token goes into an httpOnly cookie, never the URL (R-O05). */
	hold: async ({ request, cookies, url }) => {
		const f = await request.formData();
		const input = holdBody.safeParse({ slotId: String(f.get('slotId') ?? ''), purposeId: Number(f.get('purposeId')), partySize: Number(f.get('partySize')) });
		if (!input.success) return fail(400, { message: f.get('slotId') ? '入力内容を確認してください。' : '時間を選んでください。' });
		let holdId: string;
		try {
			const h = await createHold(appContext(), input.data);
			cookies.set(HOLD_COOKIE(h.holdId), h.holdToken, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', expires: new Date(h.expiresAt) });
			holdId = h.holdId;
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: e.message });
			throw e;
		}
		redirect(303, `/reserve/${holdId}${url.searchParams.get('lang') === 'en' ? '?lang=en' : ''}`);
	}
};
