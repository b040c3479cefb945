import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { reservationSearchQuery } from '$lib/server/checkin/schemas.ts';
import { searchReservations } from '$lib/server/reservations/search.ts';
import { orPageError } from '$lib/server/auth/guard.ts';

/** R-S04 R-S09: find a booking by number, name kana or notice ID, to open, move or cancel it. */
export const load: PageServerLoad = async ({ url, locals }) => {
	const raw = Object.fromEntries([...url.searchParams.entries()].filter(([k, v]) => ['q', 'locationId', 'date', 'status'].includes(k) && v !== ''));
	const parsed = reservationSearchQuery.safeParse(raw);
	const query = parsed.success ? parsed.data : { limit: 50 };
	const asked = parsed.success && Object.keys(raw).length > 0;
	return {
		query: { q: raw.q ?? '', locationId: raw.locationId ?? '', date: raw.date ?? '', status: raw.status ?? '' },
		invalid: !parsed.success,
		found: asked ? await orPageError(() => searchReservations(appContext(), locals.principal, query)) : null
	};
};
