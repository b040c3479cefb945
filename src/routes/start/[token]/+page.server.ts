import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { linkState } from '$lib/server/citizen/link-state.ts';
import { openCitizenSession, setCitizenCookie } from '$lib/server/citizen/session.ts';
import { isAppError } from '$lib/server/errors.ts';

/**
 * R-C02: the emailed link. Opening the page uses nothing (mail scanners that fetch links must not
 * spend a single-use link); the citizen's button press opens the session.
 */
export const load: PageServerLoad = async ({ params }) => ({ state: await linkState(appContext(), params.token) });

export const actions: Actions = {
	open: async ({ params, cookies, url, locals, getClientAddress }) => {
		try {
			const s = await openCitizenSession(appContext(), params.token, getClientAddress());
			setCitizenCookie(cookies, s.token, s.expiresAt, url.protocol === 'https:');
			if (s.lang !== locals.lang) cookies.set('lang', s.lang, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 365 * 86400 });
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: locals.lang === 'en' && e.en ? e.en : e.message });
			throw e;
		}
		redirect(303, '/book');
	}
};
