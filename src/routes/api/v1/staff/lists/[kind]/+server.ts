import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith, searchParams } from '$lib/server/web/http.ts';
import { listKindPath, listQuery } from '$lib/server/lists/schema.ts';
import { exportList } from '$lib/server/lists/export.ts';
import { listResponse } from '$lib/server/lists/response.ts';

/** R-S10 R-S11 R-S13: reservations | pull | transfer | no-shows as CSV or PDF. */
export const GET: RequestHandler = ({ params, url, locals, getClientAddress }) =>
	api(async () => {
		const { kind } = parseWith(listKindPath, { kind: params.kind }, 'path');
		const q = parseWith(listQuery, searchParams(url), 'query');
		const list = await exportList(appContext(), locals.principal, { kind, locationId: q.locationId ?? null, from: q.from, to: q.to ?? q.from, format: q.format, encoding: q.encoding, ip: getClientAddress() });
		return listResponse(list);
	});
