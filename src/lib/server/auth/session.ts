import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { hasRole, isRole, type Role } from '../../domain/roles.ts';
import { failureLock, limitKey, recordFailure, resetLimit, tooMany } from '../security/limits.ts';
import { afterAccountFailure, beforeAccountTry } from './account-guard.ts';
import { jwtKey } from './session-cache.ts';

export interface Principal {
	userId: number;
	login: string;
	displayName: string;
	role: Role;
	/** legacy single location (staff_users.location_id); `locations` is what access checks use */
	locationId: number | null;
	/**
	 * The locations this user serves (staff_user_locations), null = every location (R-S01).
	 * Only viewers and clerks are limited by it: see mayServe in domain/scope.ts. Absent counts as null.
	 */
	locations?: number[] | null;
	sessionId: string;
	/** R-S01: the password was set by an admin: only the password change is open until it is changed */
	mustChangePassword?: boolean;
}

export interface LoginResult {
	token: string;
	role: Role;
	expiresAt: Date;
	principal: Principal;
}

// A hash to verify against when the login is unknown, so a wrong user ID costs the same time
// as a wrong password and timing does not tell which part was wrong.
let dummyHash: Promise<string> | undefined;
const DUMMY = () => (dummyHash ??= argon2.hash('not-a-real-password', { type: argon2.argon2id }));

const GENERIC = 'ユーザーIDまたはパスワードが正しくありません。';

function lockedMessage(until: Date): string {
	const hhmm = until.toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
	return `ログインに続けて失敗したため、アカウントを一時的にロックしました。${hhmm} 以降に再度お試しください。`;
}

/** Wrong passwords per user ID *and* client address: an attacker elsewhere cannot lock a clerk out (R-S01, R-O04). */
const userIpSpec = (ctx: AppContext) => ({ points: ctx.config.LOGIN_MAX_FAILURES, seconds: ctx.config.LOGIN_LOCK_MINUTES * 60, blockSeconds: ctx.config.LOGIN_LOCK_MINUTES * 60 });
/** Wrong passwords per client address across all user IDs (password spraying): 429 with Retry-After. */
const ipSpec = (ctx: AppContext) => ({ points: ctx.config.LOGIN_MAX_FAILURES_PER_IP, seconds: ctx.config.LOGIN_LOCK_MINUTES * 60, blockSeconds: ctx.config.LOGIN_LOCK_MINUTES * 60 });

function ipTooMany(ctx: AppContext, seconds: number): AppError {
	return tooMany(seconds, { ja: 'この端末からのログインの失敗が続いたため、しばらく受け付けません。', en: 'Too many failed sign-ins from this device.' }, ctx.now());
}

function locked(ctx: AppContext, seconds: number): AppError {
	const until = new Date(ctx.now().getTime() + seconds * 1000);
	return new AppError('locked', lockedMessage(until), { extra: { retryAt: until.toISOString(), retryAfter: seconds } });
}

/**
 * R-S01: verify the password, enforce the lockouts, open a session row, sign the token. Every outcome is audited.
 * Failures are counted by rate-limiter-flexible (Redis, per-node memory while Redis is down), keyed by the
 * user ID as typed plus the client address, never by the user alone; an unknown user ID goes through the
 * very same steps (same message, same argon2 work, same lock), so the answers do not tell which IDs exist.
 */
export async function login(
	ctx: AppContext,
	input: { login: string; password: string; ip?: string | null }
): Promise<LoginResult> {
	const { StaffUser, StaffSession } = ctx.db.models;
	const ip = input.ip ?? '';
	const userIpKey = limitKey('login', input.login, ip);
	const ipKey = limitKey('ip', ip);
	const ipBlocked = await failureLock(ctx, 'staff-login-ip', ipSpec(ctx), ipKey);
	if (ipBlocked) {
		await audit(ctx, { actorType: 'anonymous', actorId: null, action: 'login.rate_limited', ip: input.ip });
		throw ipTooMany(ctx, ipBlocked);
	}
	const lockedFor = await failureLock(ctx, 'staff-login', userIpSpec(ctx), userIpKey);
	// The account's wait across addresses (R-O04); a user ID locked for this address answers that lock instead.
	if (!lockedFor) await beforeAccountTry(ctx, input.login, input.ip);
	const user = await StaffUser.findOne({ where: { login: input.login } });
	const known = !!user && user.active;
	// The hash is verified even when locked or unknown, so every refusal costs the same time.
	const ok = (await argon2.verify(known ? user.passwordHash : await DUMMY(), input.password).catch(() => false)) && known;
	const actor = known ? { actorType: 'staff' as const, actorId: user.login } : { actorType: 'anonymous' as const, actorId: null };
	if (lockedFor) {
		await audit(ctx, { ...actor, action: 'login.locked', ip: input.ip });
		throw locked(ctx, lockedFor);
	}
	if (!ok || !user) {
		const lockedNow = await recordFailure(ctx, 'staff-login', userIpSpec(ctx), userIpKey);
		const ipNow = await recordFailure(ctx, 'staff-login-ip', ipSpec(ctx), ipKey);
		await afterAccountFailure(ctx, input.login, known ? user : null, input.ip);
		await audit(ctx, {
			...actor,
			action: lockedNow ? 'login.locked_out' : 'login.failed',
			detail: { reason: known ? 'bad_password' : 'unknown_user' },
			ip: input.ip
		});
		if (lockedNow) throw locked(ctx, lockedNow);
		if (ipNow) throw ipTooMany(ctx, ipNow);
		throw new AppError('unauthenticated', GENERIC);
	}
	await resetLimit(ctx, 'staff-login', userIpSpec(ctx), userIpKey);
	const sessionId = randomUUID();
	const expiresAt = new Date(ctx.now().getTime() + ctx.config.SESSION_TTL_MINUTES * 60_000);
	await ctx.db.sequelize.transaction(async (transaction) => {
		await StaffSession.create({ id: sessionId, staffUserId: user.id, expiresAt }, { transaction });
		await audit(ctx, { actorType: 'staff', actorId: user.login, action: 'login', targetType: 'session', targetId: sessionId, ip: input.ip }, transaction);
	});
	const token = jwt.sign({ sid: sessionId, role: user.role }, jwtKey(ctx.jwtSecret), {
		subject: String(user.id),
		expiresIn: ctx.config.SESSION_TTL_MINUTES * 60,
		algorithm: 'HS256'
	});
	const principal: Principal = {
		userId: user.id,
		login: user.login,
		displayName: user.displayName,
		role: user.role,
		locationId: user.locationId ?? null,
		locations: await servedLocationIds(ctx, user.id, user.locationId ?? null),
		sessionId,
		mustChangePassword: await mustChange(ctx, user.id)
	};
	return { token, role: user.role, expiresAt, principal };
}

/** R-S01: whether the user's password was set by an admin and is still to be changed (read raw, not a model field, so the model still fits the older schemas migration tests step down to). */
async function mustChange(ctx: AppContext, userId: number): Promise<boolean> {
	const [row] = await ctx.db.sequelize.query<{ f: boolean }>(`SELECT must_change_password AS f FROM staff_users WHERE id = :userId`, { replacements: { userId }, type: QueryTypes.SELECT });
	return row?.f === true;
}

/** The served set as the Principal carries it: the listed locations, else the legacy single one, else null (all). */
function servedList(listed: readonly (number | string)[] | null | undefined, legacy: number | null): number[] | null {
	if (listed && listed.length) return listed.map(Number);
	return legacy === null ? null : [legacy];
}

async function servedLocationIds(ctx: AppContext, userId: number, legacy: number | null): Promise<number[] | null> {
	const rows = await ctx.db.sequelize.query<{ location_id: number }>(`SELECT location_id FROM staff_user_locations WHERE staff_user_id = :userId ORDER BY location_id`, {
		replacements: { userId },
		type: QueryTypes.SELECT
	});
	return servedList(rows.map((r) => r.location_id), legacy);
}

/** Resolves a token to its principal, or null when it is invalid, expired, revoked or its user is disabled. */
export async function authenticate(ctx: AppContext, token: string | null | undefined): Promise<Principal | null> {
	if (!token) return null;
	let claims: jwt.JwtPayload;
	try {
		claims = jwt.verify(token, jwtKey(ctx.jwtSecret), { algorithms: ['HS256'] }) as jwt.JwtPayload;
	} catch {
		return null;
	}
	if (typeof claims.sid !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.sid) || !claims.sub) return null;
	const cached = ctx.sessions?.get<Principal>(claims.sid);
	if (cached && String(cached.userId) === claims.sub) return cached;
	// One query (the session row and its user together) when this node has not seen the session lately;
	// the served locations come in the same statement.
	const [row] = await ctx.db.sequelize.query<{ id: number; login: string; display_name: string; role: string; location_id: number | null; locations: number[]; session_id: string; expires_at: Date; must_change_password: boolean }>(
		`SELECT u.id, u.login, u.display_name, u.role, u.location_id, s.id AS session_id, s.expires_at, u.must_change_password,
		        ARRAY(SELECT l.location_id FROM staff_user_locations l WHERE l.staff_user_id = u.id ORDER BY l.location_id) AS locations
		   FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_user_id
		  WHERE s.id = :sid AND s.revoked_at IS NULL AND s.expires_at > :now AND u.active AND u.id = :uid`,
		{ replacements: { sid: claims.sid, now: ctx.now().toISOString(), uid: Number(claims.sub) || 0 }, type: QueryTypes.SELECT }
	);
	if (!row || !isRole(row.role)) return null;
	const principal: Principal = {
		userId: row.id,
		login: row.login,
		displayName: row.display_name,
		role: row.role,
		locationId: row.location_id,
		locations: servedList(row.locations, row.location_id),
		sessionId: row.session_id,
		mustChangePassword: row.must_change_password === true
	};
	ctx.sessions?.set(claims.sid, principal, new Date(row.expires_at), row.id);
	return principal;
}

export async function logout(ctx: AppContext, principal: Principal, ip?: string | null): Promise<void> {
	await ctx.db.sequelize.transaction(async (transaction) => {
		await ctx.db.models.StaffSession.update({ revokedAt: ctx.now() }, { where: { id: principal.sessionId }, transaction });
		await audit(ctx, { actorType: 'staff', actorId: principal.login, action: 'logout', targetType: 'session', targetId: principal.sessionId, ip }, transaction);
	});
	// After commit: sockets opened with this session stop receiving pushes, and every node forgets
	// it, before this answers (awaited: the next request may go to another node at once).
	await ctx.events.sessionsRevoked?.([principal.sessionId]);
}

/** Throws 401 without a principal and 403 when its role is below `needed`. */
export function requireRole(principal: Principal | null, needed: Role): Principal {
	if (!principal) throw new AppError('unauthenticated', 'ログインが必要です。');
	if (!hasRole(principal.role, needed)) throw new AppError('forbidden', 'この操作を行う権限がありません。');
	return principal;
}
