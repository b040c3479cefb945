import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';
import { hasRole } from '$lib/domain/roles.ts';

/** Scheduling settings are for admins only (R-S01). */
export const load: LayoutServerLoad = async ({ locals }) => {
	if (!locals.principal || !hasRole(locals.principal.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	return {};
};
