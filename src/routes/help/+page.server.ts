import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { cachedCity } from '$lib/server/city/cache.ts';
import { pickText } from '$lib/domain/locale-text.ts';

/** R-S18: the help / FAQ text the city set, in the visitor's language with the fallback. */
export const load: PageServerLoad = async ({ locals }) => {
	const city = await cachedCity(appContext());
	return { text: pickText(city.help, locals.lang), contact: pickText(city.contact, locals.lang) };
};
