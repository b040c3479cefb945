import type { LayoutServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { currentBanner } from '$lib/server/ops/emergency.ts';
import { isCitizenPath } from '$lib/server/citizen/maintenance.ts';

export const load: LayoutServerLoad = async ({ locals, url }) => {
	// Read the query so kit re-runs this load when ?lang= changes on client-side navigation.
	void url.searchParams.get('lang');
	return {
		lang: locals.lang,
		// R-O07: the emergency banner on citizen pages (boards show their own, larger)
		banner: isCitizenPath(url.pathname) && !url.pathname.startsWith('/board') ? await currentBanner(appContext()) : null,
		staff: locals.principal ? { displayName: locals.principal.displayName, role: locals.principal.role } : null
	};
};
