import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import { authenticate, login, type Principal } from '../../src/lib/server/auth/session.ts';
import { servedLocationIds } from '../../src/lib/server/users/view.ts';
import * as usersRoute from '../../src/routes/api/v1/staff/users/+server.ts';
import * as userRoute from '../../src/routes/api/v1/staff/users/[id]/+server.ts';
import * as passwordRoute from '../../src/routes/api/v1/staff/users/[id]/password/+server.ts';
import * as auditRoute from '../../src/routes/api/v1/staff/audit/+server.ts';
import * as verifyRoute from '../../src/routes/api/v1/staff/audit/verify/+server.ts';

/** R-S01 staff user administration through the HTTP endpoints (the route modules, called as SvelteKit would). */
let t: TestDatabase;
let ctx: AppContext;
let admin: Principal;
const principals: Partial<Record<'viewer' | 'clerk' | 'supervisor', Principal>> = {};

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'staff_users');
	ctx = testContext(t.db).ctx;
	setAppContext(ctx);
	await makeStaff(t.db, 'admin', 'pw-users-admin-1', 'usersadmin');
	admin = (await login(ctx, { login: 'usersadmin', password: 'pw-users-admin-1' })).principal;
	for (const role of ['viewer', 'clerk', 'supervisor'] as const) {
		await makeStaff(t.db, role, `pw-users-${role}-1`, `users${role}`);
		principals[role] = (await login(ctx, { login: `users${role}`, password: `pw-users-${role}-1` })).principal;
	}
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

type Handler = (event: never) => Promise<Response> | Response;
/** Calls a route handler with what SvelteKit would hand it. */
async function call(handler: Handler, opts: { principal: Principal | null; method?: string; path?: string; params?: Record<string, string>; body?: unknown; rawBody?: string }) {
	const url = new URL(`http://127.0.0.1${opts.path ?? '/api/v1/staff/users'}`);
	const request = new Request(url, {
		method: opts.method ?? 'GET',
		...(opts.body !== undefined || opts.rawBody !== undefined ? { body: opts.rawBody ?? JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } } : {})
	});
	const res = await handler({ request, url, params: opts.params ?? {}, locals: { principal: opts.principal, lang: 'ja' }, getClientAddress: () => '127.0.0.1' } as never);
	const text = await res.text();
	const type = res.headers.get('content-type') ?? '';
	return { status: res.status, type, body: type.includes('json') && text ? JSON.parse(text) : text };
}

const users = (p: Principal | null) => call(usersRoute.GET as Handler, { principal: p });
const create = (p: Principal | null, body: unknown) => call(usersRoute.POST as Handler, { principal: p, method: 'POST', body });
const patch = (p: Principal | null, id: number, body: unknown) => call(userRoute.PATCH as Handler, { principal: p, method: 'PATCH', path: `/api/v1/staff/users/${id}`, params: { id: String(id) }, body });
const reset = (p: Principal | null, id: number, body: unknown) =>
	call(passwordRoute.POST as Handler, { principal: p, method: 'POST', path: `/api/v1/staff/users/${id}/password`, params: { id: String(id) }, body });
const countUsers = async () => t.db.models.StaffUser.count();
const auditRows = (action: string) =>
	t.db.sequelize.query<{ actor_id: string; target_id: string; detail: Record<string, unknown> }>(`SELECT actor_id, target_id, detail FROM audit_log WHERE action = :action ORDER BY id`, {
		replacements: { action },
		type: 'SELECT' as never
	});

describe('access', () => {
	it('R-S01 R-O03 every users and audit endpoint is refused for viewer, clerk, supervisor (403) and without a session (401), writing nothing', async () => {
		const target = (await makeStaff(t.db, 'clerk', 'pw-target-12345', 'accesstarget')).id;
		const before = await countUsers();
		const good = { login: 'never-created', displayName: '作られない', role: 'clerk', password: 'Unusual-Lantern-Orbit-42' };
		for (const [who, p, status] of [
			['nobody', null, 401],
			['viewer', principals.viewer!, 403],
			['clerk', principals.clerk!, 403],
			['supervisor', principals.supervisor!, 403]
		] as const) {
			const results = [
				await users(p),
				await create(p, good),
				await create(p, { not: 'even valid' }),
				await patch(p, target, { role: 'admin' }),
				await patch(p, target, { active: false }),
				await reset(p, target, { generate: true }),
				await call(auditRoute.GET as Handler, { principal: p, path: '/api/v1/staff/audit' }),
				await call(auditRoute.GET as Handler, { principal: p, path: '/api/v1/staff/audit?format=csv' }),
				await call(verifyRoute.POST as Handler, { principal: p, method: 'POST', path: '/api/v1/staff/audit/verify' })
			];
			for (const r of results) {
				expect(r.status, who).toBe(status);
				expect(r.type).toContain('application/problem+json');
			}
		}
		expect(await countUsers()).toBe(before);
		expect((await t.db.models.StaffUser.findByPk(target))!.role).toBe('clerk');
		expect((await t.db.models.StaffUser.findByPk(target))!.active).toBe(true);
	});
});

describe('admin', () => {
	it('R-S01 adds a user with role, served locations and a password; the user signs in; the audit row has no password', async () => {
		const a = await makeLocation(t.db);
		const b = await makeLocation(t.db);
		const r = await create(admin, { login: 'sato.h', displayName: '佐藤 花子', role: 'clerk', locationIds: [b.id, a.id, a.id], password: 'Unusual-Lantern-Orbit-42' });
		expect(r.status).toBe(201);
		expect(r.body.generatedPassword).toBeNull();
		expect(r.body.user).toMatchObject({ login: 'sato.h', displayName: '佐藤 花子', role: 'clerk', active: true, locationIds: [a.id, b.id].sort((x, y) => x - y) });
		expect((await login(ctx, { login: 'sato.h', password: 'Unusual-Lantern-Orbit-42' })).role).toBe('clerk');
		expect(await servedLocationIds(ctx, r.body.user.id)).toEqual([a.id, b.id].sort((x, y) => x - y));

		const [row] = await auditRows('user.created').then((rows) => rows.filter((x) => x.target_id === String(r.body.user.id)));
		expect(row).toMatchObject({ actor_id: 'usersadmin', detail: { login: 'sato.h', role: 'clerk', passwordGenerated: false } });
		expect(JSON.stringify(row.detail)).not.toMatch(/Lantern|argon2|佐藤/);

		// Without a password one is generated, returned once, and it works.
		const g = await create(admin, { login: 'gen.user', displayName: '生成 太郎', role: 'viewer' });
		expect(g.status).toBe(201);
		expect(g.body.generatedPassword).toMatch(/^[A-Za-z2-9]{16}$/);
		await expect(login(ctx, { login: 'gen.user', password: g.body.generatedPassword })).resolves.toMatchObject({ role: 'viewer' });
		expect(g.body.user.locationIds).toEqual([]);
		expect(await servedLocationIds(ctx, g.body.user.id)).toBeNull();

		const list = await users(admin);
		expect(list.status).toBe(200);
		expect(list.body.users.map((u: { login: string }) => u.login)).toEqual(expect.arrayContaining(['sato.h', 'gen.user', 'usersadmin']));
		expect(JSON.stringify(list.body)).not.toMatch(/password|argon2/i);
	});

	it('R-S01 bad input gets 4xx problem+json naming the field, in Japanese, and writes nothing', async () => {
		const before = await countUsers();
		const auditBefore = Number((await t.db.sequelize.query(`SELECT count(*) AS n FROM audit_log`, { plain: true }))!.n);
		const cases: [unknown, number, string][] = [
			[{ login: 'weak.pw', displayName: '弱い', role: 'clerk', password: 'short' }, 422, 'password'],
			[{ login: 'weak.pw', displayName: '弱い', role: 'clerk', password: 'Password1234!' }, 422, 'password'],
			[{ login: 'weak.pw', displayName: '弱い', role: 'clerk', password: 'weak.pw-weak.pw' }, 422, 'password'],
			[{ login: 'sato.h', displayName: '重複', role: 'clerk', password: 'Unusual-Lantern-Orbit-42' }, 409, 'login'],
			[{ login: 'loc.missing', displayName: '場所なし', role: 'clerk', locationIds: [999999], password: 'Unusual-Lantern-Orbit-42' }, 422, 'locationIds'],
			[{ login: 'bad role', displayName: 'x', role: 'boss', password: 'Unusual-Lantern-Orbit-42' }, 400, 'login'],
			[{ login: 'extra.field', displayName: 'x', role: 'clerk', password: 'Unusual-Lantern-Orbit-42', isAdmin: true }, 400, 'isAdmin']
		];
		for (const [body, status, field] of cases) {
			const r = await create(admin, body);
			expect(r.status, JSON.stringify(body)).toBe(status);
			expect(r.type).toContain('application/problem+json');
			expect(r.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(field);
		}
		const weak = await create(admin, { login: 'weak.pw', displayName: '弱い', role: 'clerk', password: 'short' });
		expect(weak.body.errors[0].message).toBe('パスワードは12文字以上にしてください。');
		const malformed = await call(usersRoute.POST as Handler, { principal: admin, method: 'POST', rawBody: '{"login":' });
		expect(malformed.status).toBe(400);
		expect((await patch(admin, 999999, { role: 'clerk' })).status).toBe(404);
		expect((await patch(admin, 1, {})).status).toBe(400);
		expect((await call(userRoute.PATCH as Handler, { principal: admin, method: 'PATCH', params: { id: 'abc' }, body: { role: 'clerk' } })).status).toBe(400);
		expect((await reset(admin, 1, { password: 'x', generate: true })).status).toBe(400);
		expect(await countUsers()).toBe(before);
		const auditAfter = Number((await t.db.sequelize.query(`SELECT count(*) AS n FROM audit_log`, { plain: true }))!.n);
		expect(auditAfter).toBe(auditBefore);
	});

	it('R-S01 disabling a user ends their session at once and refuses new logins; enabling lets them in again; both audited', async () => {
		const u = await makeStaff(t.db, 'clerk', 'pw-disable-me-1', 'disable.me');
		const s = await login(ctx, { login: 'disable.me', password: 'pw-disable-me-1' });
		expect(await authenticate(ctx, s.token)).not.toBeNull();

		const r = await patch(admin, u.id, { active: false });
		expect(r.status).toBe(200);
		expect(r.body.user.active).toBe(false);
		expect(await authenticate(ctx, s.token)).toBeNull();
		const session = await t.db.models.StaffSession.findByPk(s.principal.sessionId);
		expect(session!.revokedAt).not.toBeNull();
		await expect(login(ctx, { login: 'disable.me', password: 'pw-disable-me-1' })).rejects.toMatchObject({ status: 401 });
		// The old token stays dead even after the user is enabled again.
		expect((await patch(admin, u.id, { active: true })).status).toBe(200);
		expect(await authenticate(ctx, s.token)).toBeNull();
		await expect(login(ctx, { login: 'disable.me', password: 'pw-disable-me-1' })).resolves.toMatchObject({ role: 'clerk' });

		const disabled = (await auditRows('user.disabled')).filter((x) => x.target_id === String(u.id));
		expect(disabled).toHaveLength(1);
		expect(disabled[0].detail).toMatchObject({ login: 'disable.me', sessionsRevoked: 1 });
		expect((await auditRows('user.enabled')).filter((x) => x.target_id === String(u.id))).toHaveLength(1);
	});

	it('R-S01 role and served locations change, each audited with from and to; location_id mirrors a single location', async () => {
		const loc = await makeLocation(t.db);
		const loc2 = await makeLocation(t.db);
		const u = await makeStaff(t.db, 'clerk', 'pw-change-me-1', 'change.me');
		const r = await patch(admin, u.id, { role: 'supervisor', locationIds: [loc.id], displayName: '変更 後' });
		expect(r.status).toBe(200);
		expect(r.body.user).toMatchObject({ role: 'supervisor', locationIds: [loc.id], displayName: '変更 後' });
		expect((await t.db.models.StaffUser.findByPk(u.id))!.locationId).toBe(loc.id);
		// The role takes effect on the next request of an existing session.
		const s = await login(ctx, { login: 'change.me', password: 'pw-change-me-1' });
		expect((await authenticate(ctx, s.token))!.role).toBe('supervisor');

		await patch(admin, u.id, { locationIds: [loc.id, loc2.id] });
		expect((await t.db.models.StaffUser.findByPk(u.id))!.locationId).toBeNull();
		await patch(admin, u.id, { locationIds: [] });
		expect(await servedLocationIds(ctx, u.id)).toBeNull();

		const mine = async (action: string) => (await auditRows(action)).filter((x) => x.target_id === String(u.id)).map((x) => x.detail);
		expect(await mine('user.role_changed')).toEqual([expect.objectContaining({ from: 'clerk', to: 'supervisor', toLabel: '監督者' })]);
		expect((await mine('user.locations_changed')).map((d) => [d.from, d.to])).toEqual([
			[[], [loc.id]],
			[[loc.id], [loc.id, loc2.id].sort((a, b) => a - b)],
			[[loc.id, loc2.id].sort((a, b) => a - b), []]
		]);
		expect(await mine('user.renamed')).toHaveLength(1);
		// The same values again change nothing and log nothing.
		await patch(admin, u.id, { role: 'supervisor', locationIds: [] });
		expect(await mine('user.role_changed')).toHaveLength(1);
	});

	it('R-S01 password reset: a locked user is unlocked, the new (generated) password works, old sessions end; weak passwords refused', async () => {
		const u = await makeStaff(t.db, 'clerk', 'pw-reset-me-123', 'reset.me');
		const s = await login(ctx, { login: 'reset.me', password: 'pw-reset-me-123' });
		await t.db.models.StaffUser.update({ lockedUntil: new Date(Date.now() + 3600_000), failedAttempts: 0 }, { where: { id: u.id } });
		expect((await users(admin)).body.users.find((x: { id: number }) => x.id === u.id).lockedUntil).not.toBeNull();

		const weak = await reset(admin, u.id, { password: 'reset.me-again' });
		expect(weak.status).toBe(422);
		expect(weak.body.errors[0]).toEqual({ field: 'password', message: 'ユーザーIDを含むパスワードは使えません。' });

		const r = await reset(admin, u.id, { generate: true });
		expect(r.status).toBe(200);
		expect(r.body.generatedPassword).toMatch(/^[A-Za-z2-9]{16}$/);
		expect(r.body.user.lockedUntil).toBeNull();
		expect(await authenticate(ctx, s.token)).toBeNull();
		await expect(login(ctx, { login: 'reset.me', password: 'pw-reset-me-123' })).rejects.toMatchObject({ status: 401 });
		await expect(login(ctx, { login: 'reset.me', password: r.body.generatedPassword })).resolves.toMatchObject({ role: 'clerk' });

		const given = await reset(admin, u.id, { password: 'Quiet-Harbour-Lights-9' });
		expect(given.status).toBe(200);
		expect(given.body.generatedPassword).toBeNull();
		const rows = (await auditRows('user.password_reset')).filter((x) => x.target_id === String(u.id));
		expect(rows.map((x) => x.detail)).toEqual([
			expect.objectContaining({ generated: true, unlocked: true, sessionsRevoked: 1 }),
			expect.objectContaining({ generated: false, unlocked: false })
		]);
		expect(JSON.stringify(rows)).not.toMatch(new RegExp(`${r.body.generatedPassword}|Harbour`));
	});

	it('R-S01 the last active admin cannot be demoted or disabled, also when two admins change each other at once', async () => {
		// Only our admin stays active.
		await t.db.sequelize.query(`UPDATE staff_users SET active = false WHERE role = 'admin' AND id <> :id`, { replacements: { id: admin.userId } });
		const self = await patch(admin, admin.userId, { role: 'supervisor' });
		expect(self.status).toBe(409);
		expect(self.body.detail).toContain('有効な管理者が1人もいなくなる');
		expect((await patch(admin, admin.userId, { active: false })).status).toBe(409);
		expect((await t.db.models.StaffUser.findByPk(admin.userId))!.role).toBe('admin');

		// A second admin: now each may demote the other, but not both at once.
		const second = await create(admin, { login: 'second.admin', displayName: '第二 管理者', role: 'admin', password: 'Second-Admin-Strong-77' });
		const p2 = (await login(ctx, { login: 'second.admin', password: 'Second-Admin-Strong-77' })).principal;
		const [x, y] = await Promise.all([patch(admin, second.body.user.id, { role: 'clerk' }), patch(p2, admin.userId, { active: false })]);
		expect([x.status, y.status].sort()).toEqual([200, 409]);
		const [{ n }] = await t.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM staff_users WHERE role = 'admin' AND active`, { type: 'SELECT' as never });
		expect(Number(n)).toBe(1);
	});
});
