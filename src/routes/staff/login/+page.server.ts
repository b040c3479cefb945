import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { login } from '$lib/server/auth/session.ts';
import { setSessionCookie } from '$lib/server/auth/cookie.ts';
import { isAppError } from '$lib/server/errors.ts';

export const load: PageServerLoad = ({ locals }) => {
	if (locals.principal) redirect(303, '/staff');
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const userId = String(form.get('userId') ?? '').trim();
		const password = String(form.get('password') ?? '');
		if (!userId || !password) return fail(400, { userId, message: 'ユーザーIDとパスワードを入力してください。' });
		try {
			const r = await login(appContext(), { login: userId, password, ip: getClientAddress() });
			setSessionCookie(cookies, r.token, r.expiresAt, url.protocol === 'https:');
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { userId, message: e.message });
			throw e;
		}
		redirect(303, '/staff');
	}
};
