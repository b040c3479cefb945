import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
	// Read the query so kit re-runs this load when ?lang= changes on client-side navigation.
	void url.searchParams.get('lang');
	return {
		lang: locals.lang,
		staff: locals.principal ? { displayName: locals.principal.displayName, role: locals.principal.role } : null
	};
};
