import type { Handle } from '@sveltejs/kit';

/** ?lang= switches the language and is remembered in a cookie; Japanese is the default. */
export const handleLanguage: Handle = async ({ event, resolve }) => {
	const asked = event.url.searchParams.get('lang');
	const secure = event.url.protocol === 'https:';
	if (asked === 'en' || asked === 'ja') event.cookies.set('lang', asked, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 365 * 86400 });
	event.locals.lang = (asked ?? event.cookies.get('lang')) === 'en' ? 'en' : 'ja';
	return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang) });
};
