import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json } from '$lib/server/web/http.ts';
import { verifyAuditLog } from '$lib/server/audit/verify.ts';

/** R-O03: recompute the hash chain; `{intact, rows, firstBreak}`. POST because the check is itself logged. */
export const POST: RequestHandler = ({ locals, getClientAddress }) => api(async () => json(await verifyAuditLog(appContext(), locals.principal, getClientAddress())));
