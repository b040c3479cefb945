import type { Handle, HandleServerError } from '@sveltejs/kit';
import { appContext } from '$lib/server/context.ts';
import { authenticate } from '$lib/server/auth/session.ts';
import { SESSION_COOKIE } from '$lib/server/auth/cookie.ts';

function bearer(request: Request): string | null {
	const h = request.headers.get('authorization');
	return h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : null;
}

export const handle: Handle = async ({ event, resolve }) => {
	const ctx = appContext();
	const token = bearer(event.request) ?? event.cookies.get(SESSION_COOKIE) ?? null;
	event.locals.principal = await authenticate(ctx, token);
	// ?lang= switches the language and is remembered in a cookie; Japanese is the default.
	const asked = event.url.searchParams.get('lang');
	if (asked === 'en' || asked === 'ja') event.cookies.set('lang', asked, { path: '/', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 365 * 86400 });
	event.locals.lang = (asked ?? event.cookies.get('lang')) === 'en' ? 'en' : 'ja';

	const response = await resolve(event, {
		transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang)
	});
	// R-O04: clickjacking, MIME sniffing, referrer leaks of manage links.
	response.headers.set('X-Frame-Options', 'DENY');
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	if (event.url.pathname.startsWith('/staff') || event.url.pathname.startsWith('/api/v1/staff')) {
		response.headers.set('Cache-Control', 'no-store');
	}
	return response;
};

export const handleError: HandleServerError = ({ error, event, status }) => {
	// Only the route and the error's own message are logged: never bodies, cookies or query strings.
	const ctx = appContext();
	if (status !== 404) ctx.log.error({ err: error, route: event.route.id, method: event.request.method }, 'request failed');
	return { message: status === 404 ? 'ページが見つかりません。' : 'サーバーでエラーが発生しました。', code: String(status) };
};
