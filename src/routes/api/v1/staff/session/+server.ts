import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { loginBody } from '$lib/server/auth/schemas.ts';
import { login, logout, requireRole } from '$lib/server/auth/session.ts';
import { setSessionCookie, clearSessionCookie } from '$lib/server/auth/cookie.ts';

export const POST: RequestHandler = ({ request, cookies, url, getClientAddress }) =>
	api(async () => {
		const body = await readJson(request, loginBody);
		const r = await login(appContext(), { login: body.userId, password: body.password, ip: getClientAddress() });
		setSessionCookie(cookies, r.token, r.expiresAt, url.protocol === 'https:');
		return json({ token: r.token, role: r.role, expiresAt: r.expiresAt.toISOString() });
	});

export const DELETE: RequestHandler = ({ locals, cookies, getClientAddress }) =>
	api(async () => {
		const p = requireRole(locals.principal, 'viewer');
		await logout(appContext(), p, getClientAddress());
		clearSessionCookie(cookies);
		return new Response(null, { status: 204 });
	});
