import type { LayoutServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { currentBanner } from '$lib/server/ops/emergency.ts';
import { isCitizenPath } from '$lib/server/citizen/maintenance.ts';
import { cachedCity } from '$lib/server/city/cache.ts';
import { pickText } from '$lib/domain/locale-text.ts';

export const load: LayoutServerLoad = async ({ locals, url }) => {
	// Read the query so kit re-runs this load when ?lang= changes on client-side navigation.
	void url.searchParams.get('lang');
	const citizenPage = isCitizenPath(url.pathname) && !url.pathname.startsWith('/board');
	const ctx = appContext();
	// R-S18: the city's name in the header and its contact in the footer (each node keeps them a few seconds)
	const city = citizenPage ? await cachedCity(ctx) : null;
	const m = locals.maintenance;
	const en = locals.lang === 'en';
	return {
		lang: locals.lang,
		// R-O07: the emergency banner on citizen pages (boards show their own, larger)
		banner: citizenPage ? await currentBanner(ctx) : null,
		staff: locals.principal ? { displayName: locals.principal.displayName, role: locals.principal.role } : null,
		city: city ? { name: pickText(city.cityName, locals.lang), contact: pickText(city.contact, locals.lang) } : null,
		// R-C13: planned maintenance announced ahead on every citizen page
		maintenance: citizenPage && m?.announced ? { from: m.from, until: m.until, message: (en && m.messageEn) || m.messageJa } : null
	};
};
