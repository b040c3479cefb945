/**
 * HTTP defences applied in hooks.server.ts (R-O04, R-O05, IPA 安全なウェブサイトの作り方):
 * cross-site refusal for state-changing requests, security headers, the per-address limit on
 * citizen endpoints, and the 503 a node answers while its database is unreachable.
 */
import { ConnectionError } from 'sequelize';
import type { AppContext } from '../context.ts';
import { problem } from '../web/http.ts';
import { consume } from './limits.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF (R-O04): kit checks Origin for form posts only. A JSON request that changes state and is
 * authenticated by a cookie (SameSite=Lax still lets a same-site page of another origin send it)
 * must come from our own origin. Bearer clients are not a browser's ambient credential: let them be.
 */
export function crossSiteRefusal(request: Request, url: URL, hasBearer: boolean): Response | null {
	if (SAFE.has(request.method) || hasBearer) return null;
	const origin = request.headers.get('origin');
	const site = request.headers.get('sec-fetch-site');
	const bad = (origin !== null && origin !== url.origin) || (site !== null && site !== 'same-origin' && site !== 'none');
	if (!bad) return null;
	return problem(403, 'Forbidden', '別のサイトからの要求は受け付けません。', { code: 'cross_site' });
}

/** Headers (the CSP itself comes from kit.csp in svelte.config.js, with nonces) on every response: clickjacking, sniffing, referrer, browser features, HSTS behind https. */
export function securityHeaders(headers: Headers, https: boolean): void {
	headers.set('X-Frame-Options', 'DENY');
	headers.set('X-Content-Type-Options', 'nosniff');
	headers.set('Referrer-Policy', 'same-origin');
	// The counter check-in may scan QR codes with a camera on our own pages; nothing else is needed.
	headers.set('Permissions-Policy', 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), interest-cohort=()');
	headers.set('Cross-Origin-Opener-Policy', 'same-origin');
	if (https) headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
}

/** Citizen endpoints: one limit per client address across nodes (Redis; per node while it is down). */
export async function citizenRate(ctx: AppContext, ip: string): Promise<number | null> {
	return consume(ctx, 'citizen-api', { points: ctx.config.CITIZEN_REQUESTS_PER_MINUTE, seconds: 60 }, ip);
}

/** True for errors that mean "the database cannot be reached", as opposed to a bug. */
export function isDatabaseUnavailable(e: unknown): boolean {
	for (let x: unknown = e, depth = 0; x && depth < 4; depth++) {
		if (x instanceof ConnectionError) return true;
		const err = x as { code?: unknown; message?: unknown; name?: unknown; parent?: unknown; original?: unknown; cause?: unknown };
		const code = typeof err.code === 'string' ? err.code : '';
		if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[123]|08\d{3}|53300)$/.test(code)) return true;
		if (typeof err.message === 'string' && /Connection terminated|connection is closed|terminating connection|Client has encountered a connection error|not currently accepting connections|the database system is (starting up|shutting down)/i.test(err.message)) return true;
		if (typeof err.name === 'string' && /^Sequelize(Connection|HostNotReachable|AccessDenied).*Error$/.test(err.name)) return true;
		x = err.parent ?? err.original ?? err.cause;
	}
	return false;
}

export const DATABASE_RETRY_SECONDS = 5;

/** 503 with Retry-After and no detail of the failure: problem+json for the API, a short page otherwise. */
export function databaseUnavailable(api: boolean, lang: 'ja' | 'en'): Response {
	const headers = { 'retry-after': String(DATABASE_RETRY_SECONDS), 'cache-control': 'no-store' };
	if (api) {
		const r = problem(503, 'Service Unavailable', lang === 'en' ? 'The service is briefly unavailable. Please try again shortly.' : 'ただいま処理できません。しばらくしてからもう一度お試しください。', {
			code: 'unavailable',
			retryAfter: DATABASE_RETRY_SECONDS
		});
		for (const [k, v] of Object.entries(headers)) r.headers.set(k, v);
		return r;
	}
	const title = lang === 'en' ? 'Temporarily unavailable' : 'ただいまご利用いただけません';
	const body = lang === 'en' ? 'Please try again in a few moments.' : 'しばらくしてから、もう一度お試しください。';
	return new Response(
		`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.7"><h1>${title}</h1><p>${body}</p></body></html>`,
		{ status: 503, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } }
	);
}

/**
 * STAFF_NETWORKS: staff pages, the staff API and the wall boards answer 403 outside the city's
 * networks — problem+json for the API, a short page otherwise. Citizens are not affected.
 */
export function outsideStaffNetwork(api: boolean, lang: 'ja' | 'en'): Response {
	const detail = lang === 'en' ? 'Staff pages can only be used from the city office network.' : '職員用の画面は、庁内のネットワークからのみ利用できます。';
	if (api) return problem(403, 'Forbidden', detail, { code: 'forbidden_network' });
	const title = lang === 'en' ? 'Not available from this network' : 'このネットワークからは利用できません';
	return new Response(
		`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.7"><h1>${title}</h1><p>${detail}</p></body></html>`,
		{ status: 403, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } }
	);
}
