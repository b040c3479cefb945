/**
 * R-S01 R-O04: wrong passwords for one account are counted across addresses. The probe: 35 wrong
 * passwords from 7 addresses, then the right one from an 8th, logged in. Now past the threshold every
 * try from an address that is not the user's usual one must wait (429 with Retry-After, nothing
 * verified), the admins get an `auth.account_attack` row and see it on 「利用者」; the user, from the
 * network they signed in from before, still gets in after a short delay, and a wait never lasts long.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from 'redis';
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeStaff } from '../harness/factories.ts';
import { login, type Principal } from '../../src/lib/server/auth/session.ts';
import { accountAlerts, accountWaitSeconds } from '../../src/lib/server/auth/account-guard.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { problemFromError } from '../../src/lib/server/web/http.ts';
import type { AppContext, RedisClient } from '../../src/lib/server/context.ts';

let t: TestDatabase;
const clients: RedisClient[] = [];

async function node(redisKey: string, config: Record<string, string> = {}): Promise<AppContext> {
	const { ctx } = testContext(t.db, { config: { REDIS_KEY: redisKey, ...config } });
	const c = createClient({ url: inject('redisUrl') });
	c.on('error', () => {});
	await c.connect();
	clients.push(c as RedisClient);
	ctx.redis = { mode: 'redis', ping: async () => true, client: c as RedisClient };
	return ctx;
}
async function outcome(p: Promise<unknown>): Promise<AppError | 'ok'> {
	return p.then(
		() => 'ok' as const,
		(e: unknown) => {
			if (!(e instanceof AppError)) throw e;
			return e;
		}
	);
}
const status = (o: AppError | 'ok') => (o === 'ok' ? 200 : o.status);

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'login_account');
});
afterAll(async () => {
	for (const c of clients) await c.close().catch(() => c.destroy());
	await t?.drop();
});

describe('R-S01 R-O04 one account attacked from many addresses', () => {
	it('R-S01 R-O04 35 wrong passwords from 7 addresses: the right one from an 8th is refused (429), an alert is written and shown, the usual network still gets in', async () => {
		const key = `acct-${randomUUID().slice(0, 8)}`;
		const a = await node(key);
		const b = await node(key);
		const admin = await makeStaff(t.db, 'admin', 'pw-acct-admin-1');
		const victim = await makeStaff(t.db, 'supervisor', 'pw-victim-right-1');
		const office = '192.0.2.50';
		// the victim's usual network: signed in from there before the attack
		expect(status(await outcome(login(a, { login: victim.login, password: 'pw-victim-right-1', ip: office })))).toBe(200);

		const seen: number[] = [];
		for (let n = 0; n < 7; n++) {
			for (let i = 0; i < 5; i++) seen.push(status(await outcome(login(n % 2 ? b : a, { login: victim.login, password: `guess-${n}-${i}`, ip: `203.0.113.${10 + n}` }))));
		}
		// ten guesses were verified (the threshold), every later try waits: 429, no password checked
		expect(seen.slice(0, 10).every((s) => s === 401 || s === 423)).toBe(true);
		expect(seen.slice(10).every((s) => s === 429)).toBe(true);
		const [{ failed }] = await t.db.sequelize.query<{ failed: number }>(
			`SELECT count(*)::int AS failed FROM audit_log WHERE actor_id = :login AND action IN ('login.failed', 'login.locked_out')`,
			{ replacements: { login: victim.login }, type: QueryTypes.SELECT }
		);
		expect(failed).toBe(10);

		// the right password from an 8th address: refused with Retry-After, on either node
		for (const ctx of [a, b]) {
			const refused = await outcome(login(ctx, { login: victim.login, password: 'pw-victim-right-1', ip: '198.51.100.8' }));
			expect(status(refused)).toBe(429);
			const res = problemFromError(refused);
			expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
			expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(300);
		}

		// one alert row, and the admin sees it
		const alerts = await t.db.sequelize.query<{ target_id: string }>(`SELECT target_id FROM audit_log WHERE action = 'auth.account_attack'`, { type: QueryTypes.SELECT });
		expect(alerts.map((r) => r.target_id)).toEqual([String(victim.id)]);
		const adminPrincipal: Principal = { userId: admin.id, login: admin.login, displayName: admin.displayName, role: 'admin', locationId: null, sessionId: 'test' };
		expect(await accountAlerts(a, adminPrincipal)).toEqual([expect.objectContaining({ login: victim.login, failures: 10 })]);
		await expect(accountAlerts(a, { ...adminPrincipal, role: 'supervisor' })).rejects.toMatchObject({ status: 403 });

		// the victim, from the office: delayed a little, then in — on both nodes
		for (const ctx of [a, b]) {
			const started = Date.now();
			expect(status(await outcome(login(ctx, { login: victim.login, password: 'pw-victim-right-1', ip: office })))).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
		}
	}, 300_000);

	it('R-S01 R-O04 the wait is short and then the right password works from anywhere: an attacker cannot keep an account locked', async () => {
		const key = `acct-${randomUUID().slice(0, 8)}`;
		const ctx = await node(key, { LOGIN_ACCOUNT_SLOW_AFTER: '3', LOGIN_ACCOUNT_FIRST_WAIT_SECONDS: '2', LOGIN_ACCOUNT_MAX_WAIT_SECONDS: '2' });
		const user = await makeStaff(t.db, 'clerk', 'pw-short-right-1');
		for (let n = 0; n < 3; n++) expect(status(await outcome(login(ctx, { login: user.login, password: 'nope', ip: `203.0.113.${40 + n}` })))).toBe(401);
		const refused = await outcome(login(ctx, { login: user.login, password: 'pw-short-right-1', ip: '198.51.100.9' }));
		expect(status(refused)).toBe(429);
		expect((refused as AppError).extra?.retryAfter).toBeLessThanOrEqual(2);
		await new Promise((r) => setTimeout(r, 2200));
		expect(status(await outcome(login(ctx, { login: user.login, password: 'pw-short-right-1', ip: '198.51.100.9' })))).toBe(200);
		// unknown user IDs are counted and answered alike (the answers do not tell which IDs exist)
		const ghost = `ghost-${randomUUID().slice(0, 6)}`;
		const ghostSeen: number[] = [];
		for (let n = 0; n < 4; n++) ghostSeen.push(status(await outcome(login(ctx, { login: ghost, password: 'nope', ip: `203.0.113.${50 + n}` }))));
		expect(ghostSeen).toEqual([401, 401, 401, 429]);
	}, 300_000);

	it('R-S01 the wait doubles with each failure past the threshold, up to the maximum', () => {
		expect([9, 10, 11, 12, 13, 20].map((f) => accountWaitSeconds(f, 10, 15, 300))).toEqual([0, 15, 30, 60, 120, 300]);
	});
});
