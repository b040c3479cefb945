import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { auditQuery } from '$lib/server/audit/schemas.ts';
import { exportAuditCsv, listAudit } from '$lib/server/audit/read.ts';
import { tokyoIso } from '$lib/domain/dates.ts';

/** R-O03: the 操作ログ, admins only — JSON pages (newest first) or ?format=csv (UTF-8 with BOM, oldest first). */
export const GET: RequestHandler = ({ url, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'admin');
		const q = parseWith(auditQuery, searchParams(url), 'query');
		const ctx = appContext();
		if (q.format === 'csv') {
			const stamp = tokyoIso(ctx.now()).slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
			return new Response(await exportAuditCsv(ctx, locals.principal, q, getClientAddress()), {
				headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="audit-log-${stamp}.csv"` }
			});
		}
		return json(await listAudit(ctx, locals.principal, q, getClientAddress()));
	});
