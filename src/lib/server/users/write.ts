/**
 * Staff user administration (R-S01), admins only: add, change role / served locations / name,
 * disable and enable, reset the password. Each change is one transaction with its audit rows
 * (R-O03), which never carry a password.
 */
import { randomInt } from 'node:crypto';
import argon2 from 'argon2';
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { passwordMessage } from '../../domain/password-policy.ts';
import { ROLE_LABELS } from '../../domain/roles.ts';
import { readUser, type StaffUserView } from './view.ts';
import type { CreateUserInput, PasswordResetInput, UpdateUserInput } from './schemas.ts';

const hash = (password: string) => argon2.hash(password, { type: argon2.argon2id });

// No 0/O, 1/l/I: an admin reads a generated password out to a colleague.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 random characters (about 93 bits), always acceptable to the policy. */
export function generatePassword(login: string): string {
	for (;;) {
		const pw = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
		if (!passwordMessage(pw, login)) return pw;
	}
}

function checkPolicy(password: string, login: string): void {
	const message = passwordMessage(password, login);
	if (message) throw new AppError('unprocessable', message, { errors: [{ field: 'password', message }] });
}

async function checkLocations(ctx: AppContext, ids: number[], t: Transaction): Promise<void> {
	if (ids.length === 0) return;
	const found = await ctx.db.sequelize.query<{ id: number }>(`SELECT id FROM locations WHERE id IN (:ids)`, { replacements: { ids }, type: QueryTypes.SELECT, transaction: t });
	if (found.length !== ids.length) {
		const missing = ids.filter((id) => !found.some((f) => f.id === id));
		throw new AppError('unprocessable', '存在しない交付場所が含まれています。', { errors: [{ field: 'locationIds', message: `存在しない交付場所です: ${missing.join(', ')}` }] });
	}
}

/** Replaces the served set; staff_users.location_id mirrors it when exactly one location is served. */
async function setLocations(ctx: AppContext, userId: number, ids: number[], t: Transaction): Promise<void> {
	await ctx.db.sequelize.query(`DELETE FROM staff_user_locations WHERE staff_user_id = :userId`, { replacements: { userId }, transaction: t });
	if (ids.length) {
		await ctx.db.sequelize.query(`INSERT INTO staff_user_locations (staff_user_id, location_id) SELECT :userId, unnest(ARRAY[:ids]::int[])`, {
			replacements: { userId, ids },
			transaction: t
		});
	}
	await ctx.db.sequelize.query(`UPDATE staff_users SET location_id = :one, updated_at = now() WHERE id = :userId`, {
		replacements: { userId, one: ids.length === 1 ? ids[0] : null },
		transaction: t
	});
}

const isUniqueViolation = (e: unknown) => (e as { parent?: { code?: string } })?.parent?.code === '23505';

export async function createUser(ctx: AppContext, principal: Principal | null, input: CreateUserInput, ip?: string | null): Promise<{ user: StaffUserView; generatedPassword: string | null }> {
	const admin = requireRole(principal, 'admin');
	const generated = input.password === undefined ? generatePassword(input.login) : null;
	const password = generated ?? input.password!;
	checkPolicy(password, input.login);
	const passwordHash = await hash(password);
	try {
		const user = await ctx.db.sequelize.transaction(async (t) => {
			await checkLocations(ctx, input.locationIds, t);
			const [[row]] = (await ctx.db.sequelize.query(
				// R-S01: a password an admin chose or generated is changed by its user at the first login
				`INSERT INTO staff_users (login, display_name, role, password_hash, must_change_password) VALUES (:login, :displayName, :role, :passwordHash, true) RETURNING id`,
				{ replacements: { login: input.login, displayName: input.displayName, role: input.role, passwordHash }, transaction: t }
			)) as [{ id: number }[], unknown];
			await setLocations(ctx, row.id, input.locationIds, t);
			await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'user.created', targetType: 'staff_user', targetId: row.id, detail: { login: input.login, role: input.role, locationIds: input.locationIds, passwordGenerated: generated !== null }, ip }, t);
			return (await readUser(ctx, row.id, t))!;
		});
		return { user, generatedPassword: generated };
	} catch (e) {
		if (isUniqueViolation(e)) throw new AppError('conflict', 'このユーザーIDは既に使われています。', { errors: [{ field: 'login', message: 'このユーザーIDは既に使われています。' }] });
		throw e;
	}
}

interface Locked {
	id: number;
	login: string;
	role: string;
	active: boolean;
	display_name: string;
}

/**
 * Locks the active admins (in id order, so two admins changing each other queue instead of
 * deadlocking), then the target. Returns the target and how many active admins there are.
 */
async function lockForChange(ctx: AppContext, id: number, t: Transaction): Promise<{ user: Locked; activeAdmins: number[] }> {
	const admins = await ctx.db.sequelize.query<{ id: number }>(`SELECT id FROM staff_users WHERE role = 'admin' AND active ORDER BY id FOR UPDATE`, { type: QueryTypes.SELECT, transaction: t });
	const [user] = await ctx.db.sequelize.query<Locked>(`SELECT id, login, role, active, display_name FROM staff_users WHERE id = :id FOR UPDATE`, {
		replacements: { id },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (!user) throw new AppError('not_found', '利用者が見つかりません。');
	return { user, activeAdmins: admins.map((a) => a.id) };
}

const NO_ADMIN_LEFT = '有効な管理者が1人もいなくなるため、この変更はできません。先に別の利用者を管理者にしてください。';

/** Ends every session of a user except `keep` (the admin's own, when they change themselves). */
async function revokeSessions(ctx: AppContext, userId: number, t: Transaction, keep: string | null = null): Promise<number> {
	const [rows] = (await ctx.db.sequelize.query(
		`UPDATE staff_sessions SET revoked_at = :now WHERE staff_user_id = :userId AND revoked_at IS NULL AND expires_at > :now AND (CAST(:keep AS uuid) IS NULL OR id <> CAST(:keep AS uuid)) RETURNING id`,
		{ replacements: { userId, now: ctx.now().toISOString(), keep }, transaction: t }
	)) as [{ id: string }[], unknown];
	// after commit only: the user's open sockets are cut on every node (R-O04)
	if (rows.length) t.afterCommit(() => ctx.events.sessionsRevoked?.(rows.map((r) => String(r.id))));
	return rows.length;
}

/** PATCH: name, role, active, served locations. A change that would leave no active admin is refused (409). */
export async function updateUser(ctx: AppContext, principal: Principal | null, id: number, patch: UpdateUserInput, ip?: string | null): Promise<StaffUserView> {
	const admin = requireRole(principal, 'admin');
	return ctx.db.sequelize.transaction(async (t) => {
		const { user, activeAdmins } = await lockForChange(ctx, id, t);
		// role, locations and name live in every node's cached sessions of this user: read them again
		t.afterCommit(() => ctx.events.usersChanged?.([id]));
		const before = (await readUser(ctx, id, t))!;
		const role = patch.role ?? before.role;
		const active = patch.active ?? before.active;
		const staysAdmin = role === 'admin' && active;
		if (!staysAdmin && activeAdmins.filter((a) => a !== id).length === 0) {
			throw new AppError('conflict', NO_ADMIN_LEFT, { errors: [{ field: patch.active === false ? 'active' : 'role', message: NO_ADMIN_LEFT }] });
		}
		const entry = (action: string, detail: Record<string, unknown>) =>
			audit(ctx, { actorType: 'staff', actorId: admin.login, action, targetType: 'staff_user', targetId: id, detail: { login: user.login, ...detail }, ip }, t);

		if (patch.locationIds) await checkLocations(ctx, patch.locationIds, t);
		await ctx.db.sequelize.query(`UPDATE staff_users SET display_name = :name, role = :role, active = :active, updated_at = now() WHERE id = :id`, {
			replacements: { id, name: patch.displayName ?? before.displayName, role, active },
			transaction: t
		});
		if (patch.displayName !== undefined && patch.displayName !== before.displayName) await entry('user.renamed', {});
		if (role !== before.role) await entry('user.role_changed', { from: before.role, to: role, fromLabel: ROLE_LABELS[before.role].ja, toLabel: ROLE_LABELS[role].ja });
		if (active !== before.active) {
			// Disabling ends the user's sessions at once; authenticate() also refuses an inactive user.
			const revoked = active ? 0 : await revokeSessions(ctx, id, t);
			await entry(active ? 'user.enabled' : 'user.disabled', active ? {} : { sessionsRevoked: revoked });
		}
		if (patch.locationIds && patch.locationIds.join(',') !== before.locationIds.join(',')) {
			await setLocations(ctx, id, patch.locationIds, t);
			await entry('user.locations_changed', { from: before.locationIds, to: patch.locationIds });
		}
		return (await readUser(ctx, id, t))!;
	});
}

/**
 * Sets a new password (the admin's, or one generated and returned once), clears the failed-login
 * lock and ends the user's other sessions.
 */
export async function resetPassword(ctx: AppContext, principal: Principal | null, id: number, input: PasswordResetInput, ip?: string | null): Promise<{ user: StaffUserView; generatedPassword: string | null }> {
	const admin = requireRole(principal, 'admin');
	const target = await readUser(ctx, id);
	if (!target) throw new AppError('not_found', '利用者が見つかりません。');
	const generated = 'generate' in input ? generatePassword(target.login) : null;
	const password = generated ?? (input as { password: string }).password;
	checkPolicy(password, target.login);
	const passwordHash = await hash(password);
	const user = await ctx.db.sequelize.transaction(async (t) => {
		const [[row]] = (await ctx.db.sequelize.query(
			// R-S01: a password set for someone else is theirs to change at the next login
			`UPDATE staff_users u SET password_hash = :passwordHash, failed_attempts = 0, locked_until = NULL, must_change_password = :mustChange, updated_at = now()
			  FROM (SELECT id, locked_until FROM staff_users WHERE id = :id FOR UPDATE) old
			 WHERE u.id = old.id RETURNING old.locked_until`,
			{ replacements: { id, passwordHash, mustChange: admin.userId !== id }, transaction: t }
		)) as [{ locked_until: Date | null }[], unknown];
		if (!row) throw new AppError('not_found', '利用者が見つかりません。');
		const keep = admin.userId === id ? admin.sessionId : null;
		const revoked = await revokeSessions(ctx, id, t, keep);
		const unlocked = !!row.locked_until && new Date(row.locked_until) > ctx.now();
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'user.password_reset', targetType: 'staff_user', targetId: id, detail: { login: target.login, generated: generated !== null, unlocked, sessionsRevoked: revoked, mustChangePassword: admin.userId !== id }, ip }, t);
		// the user's sessions cached on any node are read again (the flag is part of them)
		t.afterCommit(() => ctx.events.usersChanged?.([id]));
		return (await readUser(ctx, id, t))!;
	});
	return { user, generatedPassword: generated };
}
