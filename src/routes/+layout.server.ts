import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
	lang: locals.lang,
	staff: locals.principal ? { displayName: locals.principal.displayName, role: locals.principal.role } : null
});
