import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';

/** Every staff page needs a session (R-S01); pages check finer roles themselves. */
export const load: LayoutServerLoad = async ({ locals, url }) => {
	if (!locals.principal) redirect(303, `/staff/login?next=${encodeURIComponent(url.pathname)}`);
	const locations = await appContext().db.models.Location.findAll({ order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
	return {
		principal: { displayName: locals.principal.displayName, role: locals.principal.role, login: locals.principal.login },
		locations: locations.map((l) => ({ id: l.id, nameJa: l.nameJa }))
	};
};
