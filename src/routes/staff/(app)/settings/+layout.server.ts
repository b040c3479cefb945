import type { LayoutServerLoad } from './$types';
import { requirePageRole } from '$lib/server/web/guard.ts';

/** Scheduling settings are for admins only (R-S01). */
export const load: LayoutServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return {};
};
