import type { Handle } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { isCitizenPath, maintenanceError, maintenanceState } from '$lib/server/citizen/maintenance.ts';
import { maintenancePage } from '$lib/server/citizen/maintenance-page.ts';
import { problemFromError } from '$lib/server/web/http.ts';

/** R-C13: while closed, the citizen site answers 503 with the planned end; staff pages keep working. */
export const handleMaintenance: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (!isCitizenPath(path)) return resolve(event);
	const ctx = appContext();
	const m = await maintenanceState(ctx);
	event.locals.maintenance = m;
	if (!m.active) return resolve(event);
	const err = maintenanceError(m, ctx.now());
	if (path.startsWith('/api/')) return problemFromError(err, event.locals.lang);
	return new Response(maintenancePage(m, event.locals.lang), {
		status: 503,
		headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(err.extra.retryAfter), 'cache-control': 'no-store' }
	});
};
