import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { availabilityRange, slotRoom } from '$lib/server/scheduling/availability.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { createHold } from '$lib/server/booking/holds.ts';
import { readDraft } from '$lib/server/citizen/draft.ts';
import { dateString, locationIdParam, slotIdField } from '$lib/server/schemas.ts';
import { isAppError } from '$lib/server/errors.ts';
import { weekdayOf } from '$lib/domain/dates.ts';
import { fitsParty } from '$lib/domain/availability.ts';

/**
 * R-C05 R-C06: the day's times, live. With a verified party (the session's draft) only the times
 * with room for all of them can be chosen — decided here; the browser gets a yes or no, never counts.
 */
export const load: PageServerLoad = async ({ params, locals }) => {
	const ctx = appContext();
	const id = locationIdParam.safeParse(params.id);
	const date = dateString.safeParse(params.date);
	if (!id.success || !date.success) error(404, locals.lang === 'en' ? 'Page not found.' : 'ページが見つかりません。');
	try {
		const [location, availability] = await Promise.all([locations.get(ctx, id.data), availabilityRange(ctx, id.data, date.data, date.data)]);
		const draft = locals.citizen ? await readDraft(ctx, locals.citizen) : null;
		const party = draft && draft.locationId === id.data ? draft.partySize : null;
		const roomOf = party ? await slotRoom(ctx, id.data, date.data) : new Map<string, number>();
		return {
			location: { id: location!.id, nameJa: location!.nameJa, nameEn: location!.nameEn, addressJa: location!.addressJa, addressEn: location!.addressEn },
			date: date.data,
			weekday: weekdayOf(date.data),
			signedIn: !!locals.citizen,
			party,
			slots: availability.slots.map((s) => ({ ...s, fits: fitsParty(s.level, roomOf.get(s.id), party) })),
			version: availability.version
		};
	} catch (e) {
		if (isAppError(e) && e.status === 404) error(404, locals.lang === 'en' && e.en ? e.en : e.message);
		throw e;
	}
};

export const actions: Actions = {
	/** R-C15: hold the chosen time for the verified party; the hold belongs to the citizen session. */
	hold: async ({ request, locals, params, getClientAddress }) => {
		const en = locals.lang === 'en';
		if (!locals.citizen) return fail(401, { needDraft: false, message: en ? 'To book, please start from the link we sent to your email address.' : '予約するには、メールでお送りしたリンクから手続きを始めてください。' });
		const ctx = appContext();
		const draft = await readDraft(ctx, locals.citizen);
		if (!draft || String(draft.locationId) !== params.id) {
			return fail(409, { message: en ? 'Please first enter who is coming for this location.' : '先に、この交付場所で来庁する方の情報を入力してください。', needDraft: true });
		}
		const f = await request.formData();
		const slot = slotIdField.safeParse(String(f.get('slotId') ?? ''));
		if (!slot.success) return fail(400, { needDraft: false, message: en ? 'Please choose a time.' : '時間を選んでください。', field: 'slotId' });
		let holdId: string;
		try {
			const h = await createHold(ctx, locals.citizen, { slotId: slot.data, purposeId: draft.purposeId, verifiedCardIds: draft.cardIds }, getClientAddress());
			holdId = h.holdId;
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { needDraft: false, message: en && e.en ? e.en : e.message, field: 'slotId' });
			throw e;
		}
		redirect(303, `/reserve/${holdId}`);
	}
};
