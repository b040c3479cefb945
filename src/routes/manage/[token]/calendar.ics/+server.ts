import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { viewManaged } from '$lib/server/citizen/manage.ts';
import { reservationIcs } from '$lib/server/citizen/ics.ts';
import { orNotFound, tokenOf } from '$lib/server/citizen/manage-page.ts';

/** R-C09: the booking as a calendar entry. */
export const GET: RequestHandler = async ({ params, locals }) => {
	const token = tokenOf(params, locals.lang);
	const ctx = appContext();
	const view = await orNotFound(locals.lang, () => viewManaged(ctx, token));
	const body = reservationIcs(view, ctx.publicOrigin, locals.lang);
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': `attachment; filename="reservation-${view.reservationNumber.replace(/[^\w-]/g, '')}.ics"`,
			'cache-control': 'no-store'
		}
	});
};
