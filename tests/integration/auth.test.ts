import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeStaff } from '../harness/factories.ts';
import { authenticate, login, logout, requireRole } from '../../src/lib/server/auth/session.ts';
import { AppError } from '../../src/lib/server/errors.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'auth');
});
afterAll(async () => t?.drop());

async function attempt(p: Promise<unknown>): Promise<AppError> {
	const e = await p.then(
		() => null,
		(err: unknown) => err
	);
	expect(e).toBeInstanceOf(AppError);
	return e as AppError;
}

describe('staff sign-in', () => {
	it('R-S01 a correct password opens a session whose token authenticates', async () => {
		const { ctx } = testContext(t.db);
		const user = await makeStaff(t.db, 'clerk', 'pw-clerk-123');
		const r = await login(ctx, { login: user.login, password: 'pw-clerk-123' });
		expect(r.role).toBe('clerk');
		const p = await authenticate(ctx, r.token);
		expect(p).toMatchObject({ login: user.login, role: 'clerk' });
		expect(await t.db.models.StaffSession.count({ where: { staffUserId: user.id } })).toBe(1);
	});

	it('R-S01 a wrong password and an unknown user get the same generic message', async () => {
		const { ctx } = testContext(t.db);
		const user = await makeStaff(t.db, 'viewer', 'pw-right-123');
		const wrongPw = await attempt(login(ctx, { login: user.login, password: 'nope' }));
		const noUser = await attempt(login(ctx, { login: 'nobody-here', password: 'pw-right-123' }));
		expect(wrongPw.status).toBe(401);
		expect(noUser.status).toBe(401);
		expect(wrongPw.message).toBe(noUser.message);
		expect(wrongPw.message).not.toMatch(/パスワードが違|存在しません/);
	});

	it('R-S01 five wrong passwords lock the account for 15 minutes from that client, with the time to retry', async () => {
		const { ctx } = testContext(t.db, { now: new Date('2026-11-24T01:00:00Z') });
		const user = await makeStaff(t.db, 'supervisor', 'pw-super-123');
		const ip = '198.51.100.21';
		for (let i = 0; i < 4; i++) expect((await attempt(login(ctx, { login: user.login, password: 'bad', ip }))).status).toBe(401);
		const fifth = await attempt(login(ctx, { login: user.login, password: 'bad', ip }));
		expect(fifth.status).toBe(423);
		expect(fifth.message).toContain('10:15'); // 01:00Z + 15 min = 10:15 in Tokyo
		expect(fifth.extra.retryAt).toBe('2026-11-24T01:15:00.000Z');
		// Even the right password is refused while locked, from that client …
		expect((await attempt(login(ctx, { login: user.login, password: 'pw-super-123', ip }))).status).toBe(423);
		// … but the lock is per user and client (R-O04): the supervisor at another address signs in.
		await expect(login(ctx, { login: user.login, password: 'pw-super-123', ip: '198.51.100.22' })).resolves.toMatchObject({ role: 'supervisor' });
	});

	it('R-S01 concurrent wrong passwords cannot slip past the limit', async () => {
		const { ctx } = testContext(t.db);
		const user = await makeStaff(t.db, 'clerk', 'pw-race-123');
		const ip = '198.51.100.23';
		const results = await Promise.allSettled(Array.from({ length: 12 }, () => login(ctx, { login: user.login, password: 'bad', ip })));
		expect(results.every((r) => r.status === 'rejected')).toBe(true);
		expect((await attempt(login(ctx, { login: user.login, password: 'pw-race-123', ip }))).status).toBe(423);
	});

	it('R-S01 logout revokes the session at once; an expired session no longer authenticates', async () => {
		const { ctx, clock } = testContext(t.db);
		const user = await makeStaff(t.db, 'admin', 'pw-admin-123');
		const a = await login(ctx, { login: user.login, password: 'pw-admin-123' });
		const p = (await authenticate(ctx, a.token))!;
		await logout(ctx, p);
		expect(await authenticate(ctx, a.token)).toBeNull();

		const b = await login(ctx, { login: user.login, password: 'pw-admin-123' });
		clock.now = new Date(clock.now.getTime() + (ctx.config.SESSION_TTL_MINUTES + 1) * 60_000);
		expect(await authenticate(ctx, b.token)).toBeNull();
	});

	it('R-S01 a tampered or foreign token is refused', async () => {
		const { ctx } = testContext(t.db);
		const user = await makeStaff(t.db, 'admin', 'pw-admin-456');
		const a = await login(ctx, { login: user.login, password: 'pw-admin-456' });
		const [h, body, sig] = a.token.split('.');
		const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'admin', sub: '999' })).toString('base64url');
		expect(await authenticate(ctx, `${h}.${forged}.${sig}`)).toBeNull();
		expect(await authenticate(ctx, 'not-a-jwt')).toBeNull();
	});

	it('R-S01 roles are ordered viewer < clerk < supervisor < admin', () => {
		const p = (role: 'viewer' | 'clerk' | 'supervisor' | 'admin') => ({ userId: 1, login: 'x', displayName: 'x', role, locationId: null, sessionId: 's' });
		expect(() => requireRole(null, 'viewer')).toThrowError(expect.objectContaining({ status: 401 }));
		expect(() => requireRole(p('clerk'), 'supervisor')).toThrowError(expect.objectContaining({ status: 403 }));
		expect(requireRole(p('admin'), 'supervisor').role).toBe('admin');
		expect(requireRole(p('supervisor'), 'supervisor').role).toBe('supervisor');
	});
});

describe('operation log', () => {
	it('R-O03 every login, failure and logout is written to the audit log without the password', async () => {
		const { ctx } = testContext(t.db);
		const user = await makeStaff(t.db, 'clerk', 'pw-audit-123');
		await attempt(login(ctx, { login: user.login, password: 'wrong-one', ip: '127.0.0.9' }));
		const ok = await login(ctx, { login: user.login, password: 'pw-audit-123', ip: '127.0.0.9' });
		await logout(ctx, ok.principal, '127.0.0.9');
		const rows = await t.db.models.AuditLog.findAll({ where: { actorId: user.login }, order: [['id', 'ASC']] });
		expect(rows.map((r) => r.action)).toEqual(['login.failed', 'login', 'logout']);
		expect(rows.every((r) => r.ip === '127.0.0.9')).toBe(true);
		expect(JSON.stringify(rows.map((r) => r.toJSON()))).not.toContain('pw-audit-123');
		expect(JSON.stringify(rows.map((r) => r.toJSON()))).not.toContain('wrong-one');
	});

	it('R-O03 the audit log cannot be rewritten or deleted', async () => {
		await expect(t.db.sequelize.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
		await expect(t.db.sequelize.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
	});
});
