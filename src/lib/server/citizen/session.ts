/**
 * R-C02: a citizen has no account. An emailed, signed, single-use, expiring link opens a citizen
 * session bound to that address: a JWT (kind "citizen") in an httpOnly cookie, also usable as a
 * Bearer token by API clients, backed by a citizen_sessions row so it can end at once.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import type { Cookies } from '@sveltejs/kit';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { verifyLinkToken } from './tokens.ts';
import { jwtKey } from '../auth/session-cache.ts';

export const CITIZEN_COOKIE = 'mn_citizen';

export interface CitizenPrincipal {
	sessionId: string;
	email: string;
	lang: 'ja' | 'en';
	expiresAt: Date;
}

export interface CitizenSessionOpened {
	token: string;
	expiresAt: Date;
	lang: 'ja' | 'en';
}

const LINK_USED = {
	ja: 'このリンクは既に使用されています。お手数ですが、メールアドレスを入力して新しいリンクをお送りください。',
	en: 'This link has already been used. Please enter your email address to receive a new link.'
};
const LINK_EXPIRED = {
	ja: 'このリンクは有効期限が切れています。お手数ですが、メールアドレスを入力して新しいリンクをお送りください。',
	en: 'This link has expired. Please enter your email address to receive a new link.'
};
const LINK_INVALID = {
	ja: 'このリンクは正しくありません。メールに記載のリンクをそのまま開くか、新しいリンクをお送りください。',
	en: 'This link is not valid. Open the link exactly as written in the mail, or ask for a new one.'
};

/**
 * Uses the link once: a conditional UPDATE marks it used, so two clicks (or two nodes) can never
 * open two sessions from one link. A used or expired link answers 410 with its reason.
 */
export async function openCitizenSession(ctx: AppContext, token: string, ip?: string | null): Promise<CitizenSessionOpened> {
	const linkId = verifyLinkToken(ctx.jwtSecret, token);
	if (!linkId) throw new AppError('gone', LINK_INVALID.ja, { en: LINK_INVALID.en, extra: { reason: 'invalid' } });
	const now = ctx.now();
	const sessionId = randomUUID();
	const expiresAt = new Date(now.getTime() + ctx.config.CITIZEN_SESSION_MINUTES * 60_000);
	// One statement (one transaction): the link is used once, the session and its audit row written.
	const [rows] = (await ctx.db.sequelize.query(
		`WITH l AS (UPDATE citizen_links SET used_at = :now WHERE id = :id AND used_at IS NULL AND expires_at > :now RETURNING email, lang),
		      s AS (INSERT INTO citizen_sessions (id, email, lang, link_id, expires_at) SELECT :sessionId, email, lang, :id, :expiresAt FROM l RETURNING id),
		      a AS (INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail, ip)
		            SELECT 'citizen', NULL, 'citizen.session_opened', 'citizen_session', s.id::text, '{}'::jsonb, :ip FROM s)
		 SELECT email, lang FROM l`,
		{ replacements: { id: linkId, now: now.toISOString(), sessionId, expiresAt: expiresAt.toISOString(), ip: ip ?? null } }
	)) as [{ email: string; lang: 'ja' | 'en' }[], unknown];
	let opened: { lang: 'ja' | 'en'; error: null; reason: null } | { error: { ja: string; en: string }; reason: string };
	if (rows.length) opened = { lang: rows[0].lang, error: null, reason: null };
	else {
		const [link] = await ctx.db.sequelize.query<{ used_at: Date | null }>(`SELECT used_at FROM citizen_links WHERE id = :id`, { replacements: { id: linkId }, type: QueryTypes.SELECT });
		opened = !link ? { error: LINK_INVALID, reason: 'invalid' } : link.used_at ? { error: LINK_USED, reason: 'used' } : { error: LINK_EXPIRED, reason: 'expired' };
	}
	if (opened.error) throw new AppError('gone', opened.error.ja, { en: opened.error.en, extra: { reason: opened.reason } });
	const signed = jwt.sign({ kind: 'citizen', sid: sessionId }, jwtKey(ctx.jwtSecret), { expiresIn: ctx.config.CITIZEN_SESSION_MINUTES * 60, algorithm: 'HS256' });
	return { token: signed, expiresAt, lang: opened.lang };
}

/** Claims of a citizen token, or null (a staff token, a forged or expired one). No database read. */
export function citizenClaims(ctx: AppContext, token: string | null | undefined): { sid: string } | null {
	if (!token) return null;
	try {
		const c = jwt.verify(token, jwtKey(ctx.jwtSecret), { algorithms: ['HS256'] }) as jwt.JwtPayload;
		return c.kind === 'citizen' && typeof c.sid === 'string' && /^[0-9a-f-]{36}$/.test(c.sid) ? { sid: c.sid } : null;
	} catch {
		return null;
	}
}

/** `claims` when the caller has verified the token already (one signature check per request). */
export async function authenticateCitizen(ctx: AppContext, token: string | null | undefined, claims = citizenClaims(ctx, token)): Promise<CitizenPrincipal | null> {
	if (!claims) return null;
	const cached = ctx.sessions?.get<CitizenPrincipal>(claims.sid);
	if (cached) return cached;
	const [row] = await ctx.db.sequelize.query<{ id: string; email: string; lang: 'ja' | 'en'; expires_at: Date }>(
		`SELECT id, email, lang, expires_at FROM citizen_sessions WHERE id = :id AND revoked_at IS NULL AND expires_at > :now`,
		{ replacements: { id: claims.sid, now: ctx.now().toISOString() }, type: QueryTypes.SELECT }
	);
	if (!row) return null;
	const principal: CitizenPrincipal = { sessionId: row.id, email: row.email, lang: row.lang, expiresAt: new Date(row.expires_at) };
	ctx.sessions?.set(claims.sid, principal, principal.expiresAt);
	return principal;
}

export async function endCitizenSession(ctx: AppContext, principal: CitizenPrincipal): Promise<void> {
	await ctx.db.sequelize.query(`UPDATE citizen_sessions SET revoked_at = now() WHERE id = :id`, { replacements: { id: principal.sessionId } });
	// every node forgets it before this answers (issue 11 session cache)
	await ctx.events.sessionsRevoked?.([principal.sessionId]);
}

export function requireCitizen(principal: CitizenPrincipal | null): CitizenPrincipal {
	if (!principal) {
		throw new AppError('unauthenticated', 'メールでお送りしたリンクから手続きを始めてください。', {
			en: 'Please start from the link we sent to your email address.',
			extra: { reason: 'no_citizen_session' }
		});
	}
	return principal;
}

export function setCitizenCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
	cookies.set(CITIZEN_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

export function clearCitizenCookie(cookies: Cookies): void {
	cookies.delete(CITIZEN_COOKIE, { path: '/' });
}
