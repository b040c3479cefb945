import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { auditQuery } from '$lib/server/audit/schemas.ts';
import { listAudit } from '$lib/server/audit/read.ts';
import { verifyAuditLog } from '$lib/server/audit/verify.ts';
import { zodFieldErrors } from '$lib/server/web/http.ts';
import { attempt } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { ACTION_LABELS } from '$lib/domain/audit-actions.ts';

const PAGE_SIZE = 50;
const FIELDS = ['user', 'action', 'target', 'from', 'to'] as const;

/** R-O03 操作ログ viewer, admins only. Filters come from the query string, so a filtered view can be bookmarked. */
export const load: PageServerLoad = async ({ locals, url, getClientAddress }) => {
	if (!hasRole(locals.principal!.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	const values = Object.fromEntries(FIELDS.map((k) => [k, url.searchParams.get(k)?.trim() ?? '']));
	const page = Math.max(1, Math.min(100_000, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1));
	const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
	const actions = Object.entries(ACTION_LABELS).map(([code, label]) => ({ code, label }));
	const parsed = auditQuery.safeParse({ ...given, limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
	if (!parsed.success) {
		const errors: Record<string, string> = {};
		for (const e of zodFieldErrors(parsed.error)) errors[e.field] ??= e.message;
		return { values, errors, actions, page, pageSize: PAGE_SIZE, result: null, csvQuery: '' };
	}
	const result = await listAudit(appContext(), locals.principal, parsed.data, getClientAddress());
	return { values, errors: {} as Record<string, string>, actions, page, pageSize: PAGE_SIZE, result, csvQuery: new URLSearchParams({ ...given, format: 'csv' }).toString() };
};

export const actions: Actions = {
	verify: async ({ locals, getClientAddress }) => {
		const r = await attempt(() => verifyAuditLog(appContext(), locals.principal, getClientAddress()));
		return r.ok ? { verify: r.value } : r.failure;
	}
};
