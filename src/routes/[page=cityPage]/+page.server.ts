import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { cachedCity } from '$lib/server/city/cache.ts';
import { pickText } from '$lib/domain/locale-text.ts';

/**
 * R-S18: a text the city set — the privacy notice (個人情報の取扱い) at /privacy, the help / FAQ at
 * /help — in the visitor's language with the fallback, and the city's contact.
 */
export const load: PageServerLoad = async ({ locals, params }) => {
	const city = await cachedCity(appContext());
	const text = params.page === 'privacy' ? city.privacyNotice : city.help;
	return { page: params.page, text: pickText(text, locals.lang), contact: pickText(city.contact, locals.lang) };
};
