import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { logout } from '$lib/server/auth/session.ts';
import { clearSessionCookie } from '$lib/server/auth/cookie.ts';

export const actions: Actions = {
	default: async ({ locals, cookies, getClientAddress }) => {
		if (locals.principal) await logout(appContext(), locals.principal, getClientAddress());
		clearSessionCookie(cookies);
		redirect(303, '/staff/login');
	}
};
