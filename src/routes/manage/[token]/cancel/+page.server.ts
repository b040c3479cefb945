import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { cancelManaged, viewManaged } from '$lib/server/citizen/manage.ts';
import { actionResult, manageHref, orNotFound, tokenOf } from '$lib/server/citizen/manage-page.ts';

/** R-C10: the confirmation step before cancelling. */
export const load: PageServerLoad = async ({ params, locals }) => {
	const token = tokenOf(params, locals.lang);
	return { token, view: await orNotFound(locals.lang, () => viewManaged(appContext(), token)) };
};

export const actions: Actions = {
	default: async ({ params, locals, getClientAddress }) => {
		const token = tokenOf(params, locals.lang);
		const r = await actionResult(locals.lang, () => cancelManaged(appContext(), token, getClientAddress()));
		if (!r.ok) return r.failure;
		redirect(303, manageHref(token, 'cancelled'));
	}
};
