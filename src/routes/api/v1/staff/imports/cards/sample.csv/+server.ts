import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { api } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { sampleCsv } from '$lib/server/cards/import.ts';

/** The sample file (UTF-8 with BOM, opens in Excel), naming this city's first storage location. */
export const GET: RequestHandler = ({ locals }) =>
	api(async () => {
		requireRole(locals.principal, 'viewer');
		const first = await locations.first(appContext());
		return new Response(sampleCsv(first), {
			headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="card-import-sample.csv"` }
		});
	});
