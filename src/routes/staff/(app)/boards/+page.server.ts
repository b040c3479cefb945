import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { issueBoardToken, listBoardTokens, revokeBoardToken } from '$lib/server/board/tokens.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { boardTokenBody } from '$lib/server/board/schemas.ts';
import { guardActions, requirePageRole } from '$lib/server/web/guard.ts';
import { isAppError } from '$lib/server/errors.ts';

export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return { tokens: await listBoardTokens(appContext(), locals.principal) };
};

export const actions: Actions = guardActions('admin', {
	issue: async ({ request, locals, url, getClientAddress }) => {
		const f = await request.formData();
		const body = boardTokenBody.safeParse({ locationId: Number(f.get('locationId')), label: String(f.get('label') ?? '') });
		if (!body.success) return fail(400, { message: body.error.issues[0]?.message ?? '入力を確認してください。' });
		try {
			const t = await issueBoardToken(appContext(), locals.principal, { ...body.data, ip: getClientAddress() });
			return { issued: { label: t.label, url: `${url.origin}/board/${t.locationId}?token=${t.token}` } };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: e.message });
			throw e;
		}
	},
	revoke: async ({ request, locals, getClientAddress }) => {
		const id = locationIdParam.safeParse((await request.formData()).get('id'));
		if (!id.success) return fail(400, { message: 'トークンの指定が正しくありません。' });
		try {
			await revokeBoardToken(appContext(), locals.principal, { id: id.data, ip: getClientAddress() });
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: e.message });
			throw e;
		}
		return { revoked: true };
	}
});
