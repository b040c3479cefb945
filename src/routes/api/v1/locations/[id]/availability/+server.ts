import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { availabilityQuery } from '$lib/server/scheduling/schemas.ts';
import { availabilityRange } from '$lib/server/scheduling/availability.ts';
import { addDays, monthDates, tokyoDateOf } from '$lib/domain/dates.ts';

export const GET: RequestHandler = ({ params, url, locals }) =>
	api(async () => {
		const ctx = appContext();
		const locationId = parseWith(locationIdParam, params.id, 'location id');
		const q = parseWith(availabilityQuery, searchParams(url), 'query');
		const month = q.month ? monthDates(q.month) : null;
		const from = q.from ?? month?.[0] ?? tokyoDateOf(ctx.now());
		const to = q.to ?? month?.[month.length - 1] ?? addDays(from, 30);
		return json(await availabilityRange(ctx, locationId, from, to));
	}, locals.lang);
