import type { IncomingHttpHeaders } from 'node:http';

/**
 * R-O04 (cross-site WebSocket hijacking): browsers always send Origin on a WebSocket or polling
 * handshake, and a socket authenticates with the session cookie, so a page of another origin —
 * even one on the same site, which SameSite=Lax does not stop — must not open one. The origin must
 * be PUBLIC_ORIGIN, or name the host the request was sent to. Clients outside a browser send no
 * Origin and authenticate with a Bearer token; they are let through.
 */
export function originAllowed(headers: IncomingHttpHeaders, publicOrigin?: string): boolean {
	const origin = headers.origin;
	if (origin === undefined) return true;
	let asked: URL;
	try {
		asked = new URL(origin);
	} catch {
		return false;
	}
	if (publicOrigin) return asked.origin === new URL(publicOrigin).origin;
	const forwarded = headers['x-forwarded-host'];
	const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0].trim() || headers.host;
	return !!host && asked.host === host;
}
