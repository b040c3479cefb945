import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit.ts';
import { hasRole, isRole, type Role } from '../../domain/roles.ts';

export interface Principal {
	userId: number;
	login: string;
	displayName: string;
	role: Role;
	locationId: number | null;
	sessionId: string;
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

/** R-S01: verify the password, enforce the lockout, open a session row, sign the token. Every outcome is audited. */
export async function login(
	ctx: AppContext,
	input: { login: string; password: string; ip?: string | null }
): Promise<LoginResult> {
	const { StaffUser, StaffSession } = ctx.db.models;
	const now = ctx.now();
	const user = await StaffUser.findOne({ where: { login: input.login } });
	if (!user || !user.active) {
		await argon2.verify(await DUMMY(), input.password).catch(() => false);
		await audit(ctx, { actorType: 'anonymous', actorId: null, action: 'login.failed', detail: { reason: 'unknown_user' }, ip: input.ip });
		throw new AppError('unauthenticated', GENERIC);
	}
	if (user.lockedUntil && user.lockedUntil > now) {
		await audit(ctx, { actorType: 'staff', actorId: user.login, action: 'login.locked', ip: input.ip });
		throw new AppError('locked', lockedMessage(user.lockedUntil), { extra: { retryAt: user.lockedUntil.toISOString() } });
	}
	const ok = await argon2.verify(user.passwordHash, input.password).catch(() => false);
	if (!ok) {
		// One atomic UPDATE so concurrent wrong attempts cannot slip past the limit.
		const max = ctx.config.LOGIN_MAX_FAILURES;
		const lockUntil = new Date(now.getTime() + ctx.config.LOGIN_LOCK_MINUTES * 60_000);
		const [rows] = (await ctx.db.sequelize.query(
			`UPDATE staff_users SET
				failed_attempts = CASE WHEN failed_attempts + 1 >= :max THEN 0 ELSE failed_attempts + 1 END,
				locked_until = CASE WHEN failed_attempts + 1 >= :max THEN :lockUntil::timestamptz ELSE locked_until END,
				updated_at = now()
			 WHERE id = :id RETURNING locked_until`,
			{ replacements: { max, lockUntil: lockUntil.toISOString(), id: user.id } }
		)) as [{ locked_until: Date | null }[], unknown];
		const lockedNow = rows[0]?.locked_until && new Date(rows[0].locked_until) > now;
		await audit(ctx, {
			actorType: 'staff',
			actorId: user.login,
			action: lockedNow ? 'login.locked_out' : 'login.failed',
			detail: { reason: 'bad_password' },
			ip: input.ip
		});
		if (lockedNow) {
			const until = new Date(rows[0].locked_until!);
			throw new AppError('locked', lockedMessage(until), { extra: { retryAt: until.toISOString() } });
		}
		throw new AppError('unauthenticated', GENERIC);
	}
	const sessionId = randomUUID();
	const expiresAt = new Date(now.getTime() + ctx.config.SESSION_TTL_MINUTES * 60_000);
	await ctx.db.sequelize.transaction(async (transaction) => {
		await user.update({ failedAttempts: 0, lockedUntil: null }, { transaction });
		await StaffSession.create({ id: sessionId, staffUserId: user.id, expiresAt }, { transaction });
		await audit(ctx, { actorType: 'staff', actorId: user.login, action: 'login', targetType: 'session', targetId: sessionId, ip: input.ip }, transaction);
	});
	const token = jwt.sign({ sid: sessionId, role: user.role }, ctx.jwtSecret, {
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
		sessionId
	};
	return { token, role: user.role, expiresAt, principal };
}

/** Resolves a token to its principal, or null when it is invalid, expired, revoked or its user is disabled. */
export async function authenticate(ctx: AppContext, token: string | null | undefined): Promise<Principal | null> {
	if (!token) return null;
	let claims: jwt.JwtPayload;
	try {
		claims = jwt.verify(token, ctx.jwtSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
	} catch {
		return null;
	}
	if (typeof claims.sid !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.sid) || !claims.sub) return null;
	// One query per request: the session row and its user together (this runs on every staff request and socket).
	const [row] = await ctx.db.sequelize.query<{ id: number; login: string; display_name: string; role: string; location_id: number | null; session_id: string }>(
		`SELECT u.id, u.login, u.display_name, u.role, u.location_id, s.id AS session_id
		   FROM staff_sessions s JOIN staff_users u ON u.id = s.staff_user_id
		  WHERE s.id = :sid AND s.revoked_at IS NULL AND s.expires_at > :now AND u.active AND u.id = :uid`,
		{ replacements: { sid: claims.sid, now: ctx.now().toISOString(), uid: Number(claims.sub) || 0 }, type: QueryTypes.SELECT }
	);
	if (!row || !isRole(row.role)) return null;
	return { userId: row.id, login: row.login, displayName: row.display_name, role: row.role, locationId: row.location_id, sessionId: row.session_id };
}

export async function logout(ctx: AppContext, principal: Principal, ip?: string | null): Promise<void> {
	await ctx.db.sequelize.transaction(async (transaction) => {
		await ctx.db.models.StaffSession.update({ revokedAt: ctx.now() }, { where: { id: principal.sessionId }, transaction });
		await audit(ctx, { actorType: 'staff', actorId: principal.login, action: 'logout', targetType: 'session', targetId: principal.sessionId, ip }, transaction);
	});
}

/** Throws 401 without a principal and 403 when its role is below `needed`. */
export function requireRole(principal: Principal | null, needed: Role): Principal {
	if (!principal) throw new AppError('unauthenticated', 'ログインが必要です。');
	if (!hasRole(principal.role, needed)) throw new AppError('forbidden', 'この操作を行う権限がありません。');
	return principal;
}
