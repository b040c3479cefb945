/**
 * R-S01: staff change their own password. The current password is asked (wrong ones count toward
 * a lock, like logins), the new one follows the same policy as the users page, is stored as an
 * argon2id hash, ends the user's other sessions and clears "must change at next login". One
 * transaction with its audit row (never a password).
 */
import argon2 from 'argon2';
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from './session.ts';
import { failureLock, limitKey, recordFailure, resetLimit, tooMany } from '../security/limits.ts';
import { MAX_PASSWORD_LENGTH, passwordMessage } from '../../domain/password-policy.ts';

export const PASSWORD_CHANGE_REQUIRED_TYPE = '/problems/password-change-required';

export const passwordChangeBody = z.strictObject({
	current: z.string().min(1, '現在のパスワードを入力してください').max(MAX_PASSWORD_LENGTH * 4),
	next: z.string().min(1, '新しいパスワードを入力してください').max(MAX_PASSWORD_LENGTH * 4)
});

/** The 403 every staff API answers while the password must be changed (the change endpoint excepted). */
export function passwordChangeRequired(): AppError {
	return new AppError('forbidden', 'パスワードの変更が必要です。管理者が設定したパスワードを、ご自身のパスワードに変更してください。', {
		en: 'Your password was set by an administrator: change it before going on.',
		extra: { type: PASSWORD_CHANGE_REQUIRED_TYPE, changeUrl: '/api/v1/staff/session/password' }
	});
}

const spec = (ctx: AppContext) => ({ points: ctx.config.LOGIN_MAX_FAILURES, seconds: ctx.config.LOGIN_LOCK_MINUTES * 60, blockSeconds: ctx.config.LOGIN_LOCK_MINUTES * 60 });

export async function changeOwnPassword(
	ctx: AppContext,
	principal: Principal | null,
	input: { current: string; next: string; ip?: string | null }
): Promise<{ changed: true; sessionsEnded: number }> {
	const me = requireRole(principal, 'viewer');
	const key = limitKey('password', me.login);
	const lockedFor = await failureLock(ctx, 'staff-password', spec(ctx), key);
	if (lockedFor) throw tooMany(lockedFor, { ja: 'パスワードの確認に続けて失敗したため、しばらく変更できません。', en: 'Too many wrong passwords.' }, ctx.now());
	const [user] = await ctx.db.sequelize.query<{ password_hash: string }>(`SELECT password_hash FROM staff_users WHERE id = :id AND active`, {
		replacements: { id: me.userId },
		type: QueryTypes.SELECT
	});
	if (!user) throw new AppError('unauthenticated', 'ログインが必要です。');
	const ok = await argon2.verify(user.password_hash, input.current).catch(() => false);
	if (!ok) {
		const lockedNow = await recordFailure(ctx, 'staff-password', spec(ctx), key);
		await audit(ctx, { actorType: 'staff', actorId: me.login, action: 'user.password_change_failed', targetType: 'staff_user', targetId: me.userId, ip: input.ip });
		if (lockedNow) throw tooMany(lockedNow, { ja: 'パスワードの確認に続けて失敗したため、しばらく変更できません。', en: 'Too many wrong passwords.' }, ctx.now());
		const message = '現在のパスワードが正しくありません。';
		throw new AppError('unprocessable', message, { errors: [{ field: 'current', message }], en: 'The current password is wrong.' });
	}
	const problem = input.next === input.current ? '現在と同じパスワードには変更できません。' : passwordMessage(input.next, me.login);
	if (problem) throw new AppError('unprocessable', problem, { errors: [{ field: 'next', message: problem }] });
	await resetLimit(ctx, 'staff-password', spec(ctx), key);
	const hash = await argon2.hash(input.next, { type: argon2.argon2id });
	const ended = await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(
			`UPDATE staff_users SET password_hash = :hash, must_change_password = false, failed_attempts = 0, locked_until = NULL, updated_at = now() WHERE id = :id`,
			{ replacements: { id: me.userId, hash }, transaction: t }
		);
		const [rows] = (await ctx.db.sequelize.query(
			`UPDATE staff_sessions SET revoked_at = :now WHERE staff_user_id = :id AND revoked_at IS NULL AND expires_at > :now AND id <> CAST(:keep AS uuid) RETURNING id`,
			{ replacements: { id: me.userId, now: ctx.now().toISOString(), keep: me.sessionId }, transaction: t }
		)) as [{ id: string }[], unknown];
		await audit(
			ctx,
			{ actorType: 'staff', actorId: me.login, action: 'user.password_changed', targetType: 'staff_user', targetId: me.userId, detail: { sessionsEnded: rows.length, wasRequired: me.mustChangePassword === true }, ip: input.ip },
			t
		);
		const ids = rows.map((r) => String(r.id));
		t.afterCommit(() => {
			// other sessions end on every node; this session is read again (its flag is gone)
			if (ids.length) ctx.events.sessionsRevoked?.(ids);
			ctx.sessions?.drop([me.sessionId]);
			ctx.events.usersChanged?.([me.userId]);
		});
		return ids.length;
	});
	return { changed: true, sessionsEnded: ended };
}
