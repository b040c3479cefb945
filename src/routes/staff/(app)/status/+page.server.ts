import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { cityStatus } from '$lib/server/ops/status.ts';
import { hasRole } from '$lib/domain/roles.ts';

/** R-O06: the operation status for the city (admins), refreshed every few seconds by the page. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.principal || !hasRole(locals.principal.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	return { status: await cityStatus(appContext(), locals.principal) };
};
