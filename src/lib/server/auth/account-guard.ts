/**
 * R-S01 R-O04: wrong passwords for one account counted across every address. The per user-and-address
 * lock (session.ts) stops one address; an attacker with many (35 wrong passwords from 7 addresses,
 * then the right one from an 8th) is stopped here: past LOGIN_ACCOUNT_SLOW_AFTER failures within the
 * window every further try must wait 15, 30, 60 … seconds (429 with Retry-After, nothing verified), and
 * the admins get an `auth.account_attack` row they see on 「利用者」.
 *
 * The user is never locked out by it: from an address the account signed in from within 30 days (its
 * usual network) a try is only delayed a little, never refused. Counts are keyed by the user ID as typed,
 * known or not, so the answers do not tell which IDs exist.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { audit } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import { blockFor, countEvent, failureLock, limitKey, tooMany, type LimitSpec } from '../security/limits.ts';
import { requireRole, type Principal } from './session.ts';

const USUAL_DAYS = 30;
/** The most a try from the usual network is held back while the account is under attack. */
const USUAL_DELAY_MS = 2000;

const failuresSpec = (ctx: AppContext): LimitSpec => ({ points: 1_000_000, seconds: ctx.config.LOGIN_ACCOUNT_WINDOW_HOURS * 3600 });
const waitSpec = (ctx: AppContext): LimitSpec => ({ points: 1, seconds: ctx.config.LOGIN_ACCOUNT_MAX_WAIT_SECONDS });
const accountKey = (login: string) => limitKey('account', login);

/** From the threshold on: the first wait, doubled with each further failure, at most the configured wait. */
export function accountWaitSeconds(failures: number, after: number, first: number, max: number): number {
	if (failures < after) return 0;
	return Math.min(max, first * 2 ** Math.min(30, failures - after));
}

/** Whether this account signed in from this address within USUAL_DAYS (its 操作ログ says so). */
async function usualAddress(ctx: AppContext, login: string, ip: string | null | undefined): Promise<boolean> {
	if (!ip) return false;
	const rows = await ctx.db.sequelize.query(
		`SELECT 1 FROM audit_log WHERE actor_id = :login AND action = 'login' AND actor_type = 'staff' AND ip = :ip
		   AND at > now() - make_interval(days => :days) LIMIT 1`,
		{ replacements: { login, ip, days: USUAL_DAYS }, type: QueryTypes.SELECT }
	);
	return rows.length > 0;
}

function accountTooMany(ctx: AppContext, seconds: number): AppError {
	return tooMany(seconds, { ja: 'このユーザーIDへのログインの失敗が続いているため、少し待ってからお試しください。', en: 'Sign-ins to this user ID keep failing; please wait a little.' }, ctx.now());
}

/**
 * Before a password is verified: refused (429) while the account must wait, unless the address is
 * the user's usual one, which only waits a little here.
 */
export async function beforeAccountTry(ctx: AppContext, login: string, ip: string | null | undefined): Promise<void> {
	const wait = await failureLock(ctx, 'staff-login-account-wait', waitSpec(ctx), accountKey(login));
	if (!wait) return;
	if (await usualAddress(ctx, login, ip)) {
		await new Promise((r) => setTimeout(r, Math.min(USUAL_DELAY_MS, wait * 1000)));
		return;
	}
	await audit(ctx, { actorType: 'anonymous', actorId: null, action: 'login.account_wait', ip });
	throw accountTooMany(ctx, wait);
}

/** After a wrong password (or an unknown ID): counts it for the account, sets its wait, alerts once. */
export async function afterAccountFailure(ctx: AppContext, login: string, user: { id: number; login: string } | null, ip: string | null | undefined): Promise<void> {
	const key = accountKey(login);
	const failures = await countEvent(ctx, 'staff-login-account', failuresSpec(ctx), key);
	const seconds = accountWaitSeconds(failures, ctx.config.LOGIN_ACCOUNT_SLOW_AFTER, ctx.config.LOGIN_ACCOUNT_FIRST_WAIT_SECONDS, ctx.config.LOGIN_ACCOUNT_MAX_WAIT_SECONDS);
	if (seconds > 0) await blockFor(ctx, 'staff-login-account-wait', waitSpec(ctx), key, seconds);
	if (user && failures === ctx.config.LOGIN_ACCOUNT_SLOW_AFTER) {
		await audit(ctx, {
			actorType: 'system',
			actorId: null,
			action: 'auth.account_attack',
			targetType: 'staff_user',
			targetId: String(user.id),
			detail: { login: user.login, failures, windowHours: ctx.config.LOGIN_ACCOUNT_WINDOW_HOURS },
			ip
		});
		ctx.log.warn({ staffUserId: user.id, failures }, 'staff account under attack: logins slowed');
	}
}

export interface AccountAlert {
	at: string;
	login: string;
	failures: number;
}

/** The alerts of the last `hours` (admins only), newest first, for 「利用者」. */
export async function accountAlerts(ctx: AppContext, principal: Principal | null, hours = 72): Promise<AccountAlert[]> {
	requireRole(principal, 'admin');
	const rows = await ctx.db.sequelize.query<{ at: Date; detail: { login?: string; failures?: number } | null }>(
		`SELECT at, detail FROM audit_log WHERE action = 'auth.account_attack' AND at > now() - make_interval(hours => :hours) ORDER BY at DESC LIMIT 20`,
		{ replacements: { hours }, type: QueryTypes.SELECT }
	);
	return rows.map((r) => ({ at: new Date(r.at).toISOString(), login: r.detail?.login ?? '', failures: Number(r.detail?.failures ?? 0) }));
}
