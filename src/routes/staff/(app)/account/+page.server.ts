import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { isAppError } from '$lib/server/errors.ts';
import { changeOwnPassword } from '$lib/server/auth/password.ts';

/** R-S01: the signed-in user's own password (reachable from the staff header; the only page open while a change is required). */
export const load: PageServerLoad = async ({ locals }) => ({
	mustChange: locals.principal?.mustChangePassword === true,
	login: locals.principal!.login
});

export const actions: Actions = {
	default: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const current = String(f.get('current') ?? '');
		const next = String(f.get('next') ?? '');
		const confirm = String(f.get('confirm') ?? '');
		if (!current) return fail(400, { errors: { current: '現在のパスワードを入力してください。' } as Record<string, string> });
		if (next !== confirm) return fail(400, { errors: { confirm: '確認のパスワードが新しいパスワードと一致しません。' } as Record<string, string> });
		const wasRequired = locals.principal?.mustChangePassword === true;
		try {
			const r = await changeOwnPassword(appContext(), locals.principal, { current, next, ip: getClientAddress() });
			if (wasRequired) redirect(303, '/staff?passwordChanged=1');
			return { done: true, sessionsEnded: r.sessionsEnded };
		} catch (e) {
			if (!isAppError(e)) throw e;
			const errors: Record<string, string> = {};
			for (const x of e.errors) errors[x.field] ??= x.message;
			return fail(e.status, { message: e.message, errors });
		}
	}
};
