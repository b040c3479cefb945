/**
 * Signed tokens of the citizen journey. Nothing here is stored: each token is an id plus an HMAC
 * of it under the app's secret, so a mail job on any node can put the same link in a mail, and a
 * forged or altered token fails the check. Tokens carry no personal data.
 *
 * - link token (R-C02): `{linkId}.{mac}`; single use and expiry are kept on the citizen_links row.
 * - manage token (R-C10): `{publicRef}.{mac over ref and token_version}`; raising the version
 *   invalidates every earlier manage link of that booking.
 * - check-in code (R-S15, the QR): a random code stored on the reservation (`MN` + 32 hex,
 *   letters and digits only, so a USB reader typing it through any keyboard layout or IME state
 *   sends the same characters).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const CHECKIN_CODE_RE = /^MN[0-9A-F]{32}$/;

function mac(secret: string, purpose: string, ...parts: (string | number)[]): string {
	return createHmac('sha256', secret).update(`mynumber:${purpose}:${parts.join(':')}`).digest('base64url').slice(0, 32);
}

function same(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** Splits `{uuid}.{mac}`; null for anything else (wrong shape never reaches the database). */
function split(token: string): { id: string; mac: string } | null {
	if (typeof token !== 'string' || token.length > 100) return null;
	const i = token.indexOf('.');
	if (i < 0) return null;
	const id = token.slice(0, i);
	const m = token.slice(i + 1);
	return UUID_RE.test(id) && /^[\w-]{32}$/.test(m) ? { id, mac: m } : null;
}

export function linkToken(secret: string, linkId: string): string {
	return `${linkId}.${mac(secret, 'link', linkId)}`;
}

/** The link id of a well-formed, correctly signed link token; null otherwise. */
export function verifyLinkToken(secret: string, token: string): string | null {
	const p = split(token);
	return p && same(p.mac, mac(secret, 'link', p.id)) ? p.id : null;
}

export function manageToken(secret: string, publicRef: string, version: number): string {
	return `${publicRef}.${mac(secret, 'manage', publicRef, version)}`;
}

/**
 * The public reference named by a manage token, before its signature can be checked (the check
 * needs the row's token_version): read the row by ref, then call `manageTokenValid`.
 */
export function manageTokenRef(token: string): string | null {
	return split(token)?.id ?? null;
}

export function manageTokenValid(secret: string, token: string, version: number): boolean {
	const p = split(token);
	return !!p && same(p.mac, mac(secret, 'manage', p.id, version));
}

/** What a QR reader typed, normalised: readers may add spaces or send lower case. */
export function normaliseCheckinCode(typed: string): string | null {
	const code = String(typed ?? '').trim().toUpperCase().replace(/\s+/g, '');
	return CHECKIN_CODE_RE.test(code) ? code : null;
}

export function manageUrl(origin: string, token: string): string {
	return `${origin.replace(/\/$/, '')}/manage/${token}`;
}

/**
 * The contract path `{PUBLIC_ORIGIN}/start/{token}`; a link mailed in another language than
 * Japanese carries it (`?lang=en`), so it opens in that language in a browser that has never
 * been here (R-C16).
 */
export function linkUrl(origin: string, token: string, lang: string = 'ja'): string {
	const base = `${origin.replace(/\/$/, '')}/start/${token}`;
	return lang && lang !== 'ja' ? `${base}?lang=${encodeURIComponent(lang)}` : base;
}
