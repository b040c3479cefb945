import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { clientAddress } from '$lib/server/audit/client.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf, addDays } from '$lib/domain/dates.ts';
import { isValidDate } from '$lib/domain/dates.ts';
import { isAppError } from '$lib/server/errors.ts';
import { idParam } from '$lib/server/schemas.ts';
import { transferScreen } from '$lib/server/lists/transfer-screen.ts';
import { markTransfers } from '$lib/server/cards/transfers.ts';

/** 回送リスト on screen (R-S03, R-S11): tick the cards sent; the PDF/CSV is on the 帳票出力 page. */
export const load: PageServerLoad = async (event) => {
	const { locals, url } = event;
	if (!hasRole(locals.principal!.role, 'clerk')) error(403, 'この画面は職員（窓口）以上の権限で利用できます。');
	const today = tokyoDateOf(appContext().now());
	const q = url.searchParams;
	const date = (k: string, d: string) => (isValidDate(q.get(k) ?? '') ? q.get(k)! : d);
	const values = {
		locationId: /^\d{1,9}$/.test(q.get('locationId') ?? '') ? q.get('locationId')! : '',
		from: date('from', today),
		to: date('to', addDays(today, 14)),
		all: q.get('all') !== '0'
	};
	try {
		const list = await transferScreen(appContext(), locals.principal, {
			locationId: values.locationId ? Number(values.locationId) : null,
			from: values.from,
			to: values.to,
			includeSent: values.all,
			ip: clientAddress(event)
		});
		return { values, ...list, problem: null as string | null };
	} catch (e) {
		if (!isAppError(e)) throw e;
		return { values, total: 0, rows: [], problem: e.message };
	}
};

async function mark(sent: boolean, { request, locals, getClientAddress }: Parameters<Actions[string]>[0]) {
	const f = await request.formData();
	const ids = f.getAll('cardId').map(String);
	if (!ids.length) return fail(400, { message: '回送するカードを選んでください。' });
	if (ids.some((id) => !idParam.safeParse(id).success)) return fail(400, { message: '指定が正しくありません。' });
	try {
		const r = await markTransfers(appContext(), locals.principal, { cardIds: ids, sent, ip: getClientAddress() });
		return { done: sent ? 'sent' : 'unsent', count: r.changed.length };
	} catch (e) {
		if (!isAppError(e)) throw e;
		return fail(e.status, { message: e.message });
	}
}

export const actions: Actions = {
	sent: (event) => mark(true, event),
	unsent: (event) => mark(false, event)
};
