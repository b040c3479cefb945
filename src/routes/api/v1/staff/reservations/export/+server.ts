import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith, searchParams } from '$lib/server/web/http.ts';
import { reservationExportQuery } from '$lib/server/checkin/schemas.ts';
import { exportReservations } from '$lib/server/reservations/export.ts';

/** R-S09: the reservation search (same filters) as `format=csv` (`encoding=utf-8|shift_jis`) or `format=xlsx`; audited. */
export const GET: RequestHandler = ({ url, locals, getClientAddress }) =>
	api(async () => {
		const { format, encoding, ...query } = parseWith(reservationExportQuery, searchParams(url), 'query');
		const out = await exportReservations(appContext(), locals.principal, { query, format, encoding, ip: getClientAddress() });
		return new Response(out.body as BodyInit, {
			headers: { 'content-type': out.contentType, 'content-disposition': out.contentDisposition, 'cache-control': 'no-store', 'x-export-rows': String(out.rows) }
		});
	});
