import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { reservationSearchQuery } from '$lib/server/checkin/schemas.ts';
import { searchReservations } from '$lib/server/reservations/search.ts';
import { orPageError } from '$lib/server/web/guard.ts';

const FIELDS = ['q', 'locationId', 'date', 'from', 'to', 'status', 'offset'];
const PAGE_SIZE = 50;

/** R-S04 R-S09: find bookings by number, name kana or notice ID, or by filters alone (status, date range); paged, printable, exportable. */
export const load: PageServerLoad = async ({ url, locals }) => {
	const raw = Object.fromEntries([...url.searchParams.entries()].filter(([k, v]) => FIELDS.includes(k) && v !== ''));
	const parsed = reservationSearchQuery.safeParse({ ...raw, limit: String(PAGE_SIZE) });
	const query = parsed.success ? parsed.data : { limit: PAGE_SIZE, offset: 0 };
	const asked = parsed.success && Object.keys(raw).filter((k) => k !== 'offset').length > 0;
	const badRange = !parsed.success && parsed.error.issues.some((i) => i.path[0] === 'to' && i.code === 'custom');
	return {
		query: { q: raw.q ?? '', locationId: raw.locationId ?? '', date: raw.date ?? '', from: raw.from ?? '', to: raw.to ?? '', status: raw.status ?? '' },
		invalid: !parsed.success,
		badRange,
		pageSize: PAGE_SIZE,
		printedAt: appContext().now().toISOString(),
		found: asked ? await orPageError(() => searchReservations(appContext(), locals.principal, query)) : null
	};
};
