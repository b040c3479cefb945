import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { listCitizenLocations } from '$lib/server/scheduling/availability.ts';
import { listPurposes } from '$lib/server/scheduling/purposes.ts';
import { cityRules } from '$lib/server/scheduling/settings-read.ts';
import { draftPersons, readDraft, verifyDraft } from '$lib/server/citizen/draft.ts';
import { citizenPerson } from '$lib/server/citizen/schemas.ts';
import { isAppError } from '$lib/server/errors.ts';
import { tokyoMonthOf } from '$lib/domain/dates.ts';

/** R-C03 R-C04 R-C07 R-S17: who is coming, for what, where — verified before any time is offered. */
export const load: PageServerLoad = async ({ locals, url }) => {
	const ctx = appContext();
	if (!locals.citizen) return { signedIn: false as const };
	const [locations, purposes, city, draft] = await Promise.all([listCitizenLocations(ctx), listPurposes(ctx), cityRules(ctx), readDraft(ctx, locals.citizen)]);
	const asked = Number(url.searchParams.get('n'));
	const count = Math.min(city.maxPersonsPerBooking, Math.max(1, Number.isInteger(asked) && asked > 0 ? asked : (draft?.partySize ?? 1)));
	return {
		signedIn: true as const,
		locations: locations.map((l) => ({ id: l.id, nameJa: l.nameJa, nameEn: l.nameEn, addressJa: l.addressJa, addressEn: l.addressEn })),
		purposes: purposes.filter((p) => p.active).map((p) => ({ id: p.id, nameJa: p.nameJa, nameEn: p.nameEn })),
		maxPersons: city.maxPersonsPerBooking,
		count,
		// R-C15: what was checked stays on the session; the page offers to go on with it
		draft: draft ? { purposeId: draft.purposeId, locationId: draft.locationId, partySize: draft.partySize, persons: await draftPersons(ctx, draft) } : null
	};
};

export const actions: Actions = {
	verify: async ({ request, locals, getClientAddress }) => {
		const en = locals.lang === 'en';
		if (!locals.citizen) return fail(401, { values: null, fields: [] as string[], message: en ? 'Please start from the link we sent to your email address.' : 'メールでお送りしたリンクから手続きを始めてください。' });
		const f = await request.formData();
		const count = Math.min(5, Math.max(1, Number(f.get('count')) || 1));
		const persons = Array.from({ length: count }, (_, i) => ({
			noticeId: String(f.get(`noticeId${i}`) ?? '').slice(0, 40),
			birthMonthDay: String(f.get(`birthMonthDay${i}`) ?? '').slice(0, 12)
		}));
		const purposeId = Number(f.get('purposeId'));
		const locationId = Number(f.get('locationId'));
		const values = { persons, purposeId, locationId };
		const fields: string[] = [];
		if (!Number.isInteger(purposeId) || purposeId <= 0) fields.push('purposeId');
		if (!Number.isInteger(locationId) || locationId <= 0) fields.push('locationId');
		persons.forEach((p, i) => {
			if (!citizenPerson.shape.noticeId.safeParse(p.noticeId.trim()).success) fields.push(`noticeId${i}`);
			if (!citizenPerson.shape.birthMonthDay.safeParse(p.birthMonthDay.trim()).success) fields.push(`birthMonthDay${i}`);
		});
		if (fields.length) {
			return fail(400, { values, fields, message: en ? 'Please fill in every field marked below.' : '未入力の項目があります。下の印の付いた項目を入力してください。' });
		}
		let month: string;
		try {
			const draft = await verifyDraft(appContext(), locals.citizen, { purposeId, locationId, persons }, getClientAddress());
			month = tokyoMonthOf(appContext().now());
			void draft;
		} catch (e) {
			if (isAppError(e)) {
				// R-C03: a failed check marks every person, never one of them
				const all = e.extra.reason === 'not_verified' ? persons.flatMap((_, i) => [`noticeId${i}`, `birthMonthDay${i}`]) : e.errors.map((x) => x.field);
				return fail(e.status, { values, fields: all, message: en && e.en ? e.en : e.message });
			}
			throw e;
		}
		redirect(303, `/locations/${locationId}?month=${month}`);
	}
};
