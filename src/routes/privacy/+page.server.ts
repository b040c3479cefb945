import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { cachedCity } from '$lib/server/city/cache.ts';
import { pickText } from '$lib/domain/locale-text.ts';

/** R-S18: the privacy notice the city set (個人情報の取扱い), in the visitor's language with the fallback. */
export const load: PageServerLoad = async ({ locals }) => {
	const city = await cachedCity(appContext());
	return { text: pickText(city.privacyNotice, locals.lang), contact: pickText(city.contact, locals.lang) };
};
