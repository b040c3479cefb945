import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { monthAvailability } from '$lib/server/scheduling/availability.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { getPurpose } from '$lib/server/scheduling/purposes.ts';
import { locationIdParam, monthString } from '$lib/server/schemas.ts';
import { addMonths, tokyoDateOf, tokyoMonthOf } from '$lib/domain/dates.ts';
import { readDraft } from '$lib/server/citizen/draft.ts';
import { isAppError } from '$lib/server/errors.ts';

export const load: PageServerLoad = async ({ params, url, locals }) => {
	const ctx = appContext();
	const id = locationIdParam.safeParse(params.id);
	if (!id.success) error(404, '指定された交付場所が見つかりません。');
	const current = tokyoMonthOf(ctx.now());
	const m = monthString.safeParse(url.searchParams.get('month') ?? current);
	// Past months and months far ahead have nothing to book: show the current one instead of an error.
	const month = m.success && m.data >= current && m.data <= addMonths(current, 6) ? m.data : current;
	try {
		const location = await locations.get(ctx, id.data);
		const availability = await monthAvailability(ctx, id.data, month);
		const draft = locals.citizen ? await readDraft(ctx, locals.citizen) : null;
		const purpose = draft ? await getPurpose(ctx, draft.purposeId) : null;
		return {
			location: { id: location!.id, nameJa: location!.nameJa, nameEn: location!.nameEn, addressJa: location!.addressJa, addressEn: location!.addressEn },
			today: tokyoDateOf(ctx.now()),
			party: draft && draft.locationId === id.data && purpose ? { size: draft.partySize, purposeJa: purpose.nameJa, purposeEn: purpose.nameEn } : null,
			availability,
			prevMonth: month > current ? addMonths(month, -1) : null,
			nextMonth: month < addMonths(current, 6) ? addMonths(month, 1) : null
		};
	} catch (e) {
		if (isAppError(e) && e.code === 'not_found') error(404, e.message);
		throw e;
	}
};
