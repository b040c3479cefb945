import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { logout } from '$lib/server/auth/session.ts';
import { clearSessionCookie } from '$lib/server/auth/cookie.ts';

/**
 * A GET (a typed or bookmarked address) does not sign out — only the form's POST does — and there is
 * no page to show: back to the staff top page, or to the login when not signed in. Not a 500.
 */
export const load: PageServerLoad = ({ locals }) => {
	redirect(303, locals.principal ? '/staff' : '/staff/login');
};

export const actions: Actions = {
	default: async ({ locals, cookies, getClientAddress }) => {
		if (locals.principal) await logout(appContext(), locals.principal, getClientAddress());
		clearSessionCookie(cookies);
		redirect(303, '/staff/login');
	}
};
