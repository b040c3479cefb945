import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { isAppError } from '$lib/server/errors.ts';
import { searchParams } from '$lib/server/web/http.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { isCardStatus } from '$lib/domain/card-status.ts';
import { cardSearchQuery } from '$lib/server/cards/schemas.ts';
import { cardPage, cardsByNoticeIds, scopeCardQuery, searchCards } from '$lib/server/cards/search.ts';
import { orPageError } from '$lib/server/web/guard.ts';
import { requireRole, type Principal } from '$lib/server/auth/session.ts';
import { changeCardStatuses, MAX_BULK } from '$lib/server/cards/status.ts';
import { text } from '$lib/server/web/forms.ts';
import { listPurposes } from '$lib/server/scheduling/purposes.ts';

/** R-S09 「カード検索」: filters in the URL (so a search can be bookmarked, printed or exported as it is). */
export const load: PageServerLoad = async ({ url, locals }) => {
	const ctx = appContext();
	const params = searchParams(url);
	const parsed = cardSearchQuery.safeParse({ limit: '50', ...params });
	if (!parsed.success) error(400, '検索条件が正しくありません。');
	const query = parsed.data;
	const purposes = await listPurposes(ctx);
	const result = await orPageError(() => searchCards(ctx, locals.principal, query));
	return {
		query,
		result,
		purposes: purposes.map((p) => ({ id: p.id, nameJa: p.nameJa })),
		canChange: hasRole(locals.principal!.role, 'clerk'),
		maxBulk: MAX_BULK
	};
};

/** The cards a bulk form names: the ticked rows, or every row of the search in the form's hidden fields. */
async function targetIds(f: FormData, principal: Principal | null): Promise<string[]> {
	if (text(f, 'scope') !== 'all') return f.getAll('cardId').map(String).filter((v) => /^\d{1,18}$/.test(v));
	let raw: unknown;
	try {
		raw = JSON.parse(text(f, 'filters') || '{}');
	} catch {
		return [];
	}
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
	const q = cardSearchQuery.safeParse({ ...raw, limit: '1', offset: '0' });
	if (!q.success) return [];
	// the search as this user sees it (R-S01: only the locations they serve)
	const scoped = await scopeCardQuery(appContext(), requireRole(principal, 'clerk'), q.data);
	const rows = await cardPage(appContext(), { ...scoped, limit: MAX_BULK, offset: 0 });
	return rows.map((r) => r.id);
}

export const actions: Actions = {
	/** R-S08: bulk (or single) status change with a note; one transaction; the summary comes back. */
	status: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const to = text(f, 'to');
		if (!isCardStatus(to)) return fail(400, { statusMessage: '変更後の状態を選んでください。' });
		try {
			// The use case checks the role (clerk and above); resolving the search first shows a viewer nothing new.
			const ids = await targetIds(f, locals.principal);
			if (ids.length === 0) return fail(400, { statusMessage: '変更するカードを選んでください。' });
			const summary = await changeCardStatuses(appContext(), locals.principal, { cardIds: ids, to, note: text(f, 'note').slice(0, 500) || null, ip: getClientAddress() });
			return { summary };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { statusMessage: e.message });
			throw e;
		}
	},
	/** A pasted list of notice IDs (one per line, or separated by commas/spaces) → the matching cards. */
	paste: async ({ request, locals }) => {
		const f = await request.formData();
		const raw = text(f, 'noticeIds');
		const lines = raw.split(/[\r\n,、\t]+/);
		if (lines.length > MAX_BULK) return fail(400, { pasteMessage: `一度に ${MAX_BULK}件までです。` });
		try {
			const found = await cardsByNoticeIds(appContext(), locals.principal, lines);
			return { pasted: { ...found, raw: raw.slice(0, 100_000) } };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { pasteMessage: e.message });
			throw e;
		}
	}
};
