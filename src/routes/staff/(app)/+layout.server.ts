import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { mayServe } from '$lib/domain/scope.ts';

/**
 * Every staff page needs a session (R-S01); pages check finer roles themselves.
 * `locations` are the ones this user serves (what pickers offer); `locationNames` are all, for labels.
 */
export const load: LayoutServerLoad = async ({ locals, url }) => {
	if (!locals.principal) redirect(303, `/staff/login?next=${encodeURIComponent(url.pathname)}`);
	const principal = locals.principal;
	const all = (await locations.list(appContext())).map((l) => ({ id: l.id, nameJa: l.nameJa }));
	return {
		principal: { displayName: principal.displayName, role: principal.role, login: principal.login },
		locations: all.filter((l) => mayServe(principal, l.id)),
		locationNames: all
	};
};
