import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, parseWith, searchParams } from '$lib/server/web/http.ts';
import { cardExportQuery } from '$lib/server/cards/schemas.ts';
import { exportCards } from '$lib/server/cards/export.ts';

/** R-S09: the search result as CSV (`encoding=utf-8` with BOM, or `shift_jis`), same filters as the search. */
export const GET: RequestHandler = ({ url, locals, getClientAddress }) =>
	api(async () => {
		const { encoding, ...query } = parseWith(cardExportQuery, searchParams(url), 'query');
		const out = await exportCards(appContext(), locals.principal, { query, encoding, ip: getClientAddress() });
		return new Response(out.stream, {
			headers: {
				'content-type': `text/csv; charset=${encoding === 'utf-8' ? 'utf-8' : 'shift_jis'}`,
				'content-disposition': `attachment; filename="${out.filename}"`
			}
		});
	});
