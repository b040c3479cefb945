/**
 * R-S01: staff change their own password (current password asked, policy of the users page,
 * argon2id, audited, other sessions ended), and a password set or reset by an admin must be changed
 * at the next login: until then every staff API but the change answers 403 password-change-required
 * and every staff page leads to /staff/account (the request hook, called as SvelteKit would).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import argon2 from 'argon2';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import { authenticate, login, type Principal } from '../../src/lib/server/auth/session.ts';
import { changeOwnPassword } from '../../src/lib/server/auth/password.ts';
import { createUser, resetPassword } from '../../src/lib/server/users/write.ts';
import * as passwordRoute from '../../src/routes/api/v1/staff/session/password/+server.ts';
import { handle } from '../../src/hooks.server.ts';
import { runHook } from '../harness/hook.ts';

let t: TestDatabase;
let ctx: AppContext;
let admin: Principal;

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'staff_password');
	ctx = testContext(t.db).ctx;
	setAppContext(ctx);
	await makeStaff(t.db, 'admin', 'Admin-Harbour-Quilt-77', 'pwadmin');
	admin = (await login(ctx, { login: 'pwadmin', password: 'Admin-Harbour-Quilt-77' })).principal;
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

const flag = async (loginName: string) =>
	(await t.db.sequelize.query<{ f: boolean }>(`SELECT must_change_password AS f FROM staff_users WHERE login = :l`, { replacements: { l: loginName }, type: QueryTypes.SELECT }))[0].f;

/** Runs the request hook for `path` with a Bearer token; `resolve` stands for the route and says "reached". */
async function through(path: string, token: string, method = 'GET', body?: unknown) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, {
		method,
		headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
		...(body ? { body: JSON.stringify(body) } : {})
	});
	const event = {
		url,
		request,
		locals: {} as App.Locals,
		route: { id: null },
		params: {},
		cookies: { get: () => undefined, set: () => {}, delete: () => {}, getAll: () => [], serialize: () => '' },
		getClientAddress: () => '127.0.0.1',
		isDataRequest: false,
		isSubRequest: false,
		setHeaders: () => {},
		platform: undefined,
		fetch
	};
	const res = await runHook(handle, { event: event as never, resolve: async () => new Response('reached', { status: 200 }) });
	return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('R-S01 own password change', () => {
	it('R-S01 asks the current password, applies the policy, stores argon2id, audits, ends the other sessions only', async () => {
		await makeStaff(t.db, 'clerk', 'Clerk-Meadow-Lantern-31', 'pwclerk');
		const here = await login(ctx, { login: 'pwclerk', password: 'Clerk-Meadow-Lantern-31' });
		const other = await login(ctx, { login: 'pwclerk', password: 'Clerk-Meadow-Lantern-31' });

		await expect(changeOwnPassword(ctx, here.principal, { current: 'wrong-password-xx', next: 'Brand-New-Walnut-Sky-9' })).rejects.toMatchObject({ status: 422, errors: [{ field: 'current' }] });
		await expect(changeOwnPassword(ctx, here.principal, { current: 'Clerk-Meadow-Lantern-31', next: 'short' })).rejects.toMatchObject({ status: 422, errors: [{ field: 'next' }] });
		await expect(changeOwnPassword(ctx, here.principal, { current: 'Clerk-Meadow-Lantern-31', next: 'pwclerk-and-more-12' })).rejects.toMatchObject({ status: 422, errors: [{ field: 'next' }] });
		await expect(changeOwnPassword(ctx, here.principal, { current: 'Clerk-Meadow-Lantern-31', next: 'Clerk-Meadow-Lantern-31' })).rejects.toMatchObject({ status: 422 });

		const r = await changeOwnPassword(ctx, here.principal, { current: 'Clerk-Meadow-Lantern-31', next: 'Brand-New-Walnut-Sky-9', ip: '10.1.1.1' });
		expect(r).toEqual({ changed: true, sessionsEnded: 1 });
		const [u] = await t.db.sequelize.query<{ password_hash: string }>(`SELECT password_hash FROM staff_users WHERE login = 'pwclerk'`, { type: QueryTypes.SELECT });
		expect(u.password_hash.startsWith('$argon2id$')).toBe(true);
		expect(await argon2.verify(u.password_hash, 'Brand-New-Walnut-Sky-9')).toBe(true);
		expect(await authenticate(ctx, here.token)).not.toBeNull();
		expect(await authenticate(ctx, other.token)).toBeNull();
		await expect(login(ctx, { login: 'pwclerk', password: 'Clerk-Meadow-Lantern-31' })).rejects.toMatchObject({ status: 401 });
		expect((await login(ctx, { login: 'pwclerk', password: 'Brand-New-Walnut-Sky-9' })).role).toBe('clerk');
		const rows = await t.db.sequelize.query<{ action: string; detail: object }>(
			`SELECT action, detail FROM audit_log WHERE actor_id = 'pwclerk' AND action LIKE 'user.password%' ORDER BY id`,
			{ type: QueryTypes.SELECT }
		);
		expect(rows.map((x) => x.action)).toEqual(['user.password_change_failed', 'user.password_changed']);
		expect(JSON.stringify(rows)).not.toMatch(/Walnut|Lantern/);
	});

	it('R-S01 PUT /api/v1/staff/session/password {current, next}: 200; bad body 400 and a wrong current 422 as problem+json', async () => {
		await makeStaff(t.db, 'viewer', 'Viewer-Cobalt-Forest-64', 'pwviewer');
		const me = (await login(ctx, { login: 'pwviewer', password: 'Viewer-Cobalt-Forest-64' })).principal;
		const put = async (body: unknown) => {
			const url = new URL('http://127.0.0.1/api/v1/staff/session/password');
			const request = new Request(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
			return passwordRoute.PUT({ request, url, params: {}, locals: { principal: me, lang: 'ja' }, getClientAddress: () => '127.0.0.1' } as never);
		};
		const missing = await put({ current: 'x' });
		expect(missing.status).toBe(400);
		expect(missing.headers.get('content-type')).toContain('application/problem+json');
		const wrong = await put({ current: 'Nope-Nope-Nope-11', next: 'Velvet-Canyon-Rain-58' });
		expect(wrong.status).toBe(422);
		expect((await wrong.json()).detail).toBe('現在のパスワードが正しくありません。');
		const ok = await put({ current: 'Viewer-Cobalt-Forest-64', next: 'Velvet-Canyon-Rain-58' });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({ changed: true });
	});
});

describe('R-S01 a password set by an admin is changed at the next login', () => {
	it('R-S01 a new user and a reset carry the flag; until changed the API answers 403 password-change-required and pages lead to /staff/account', async () => {
		const { user } = await createUser(ctx, admin, { login: 'pwnew', displayName: '新人 職員', role: 'clerk', locationIds: [], password: 'Initial-Copper-Valley-25' });
		expect(await flag('pwnew')).toBe(true);
		const first = await login(ctx, { login: 'pwnew', password: 'Initial-Copper-Valley-25' });
		expect(first.principal.mustChangePassword).toBe(true);

		const api = await through('/api/v1/staff/reservations?status=active', first.token);
		expect(api.status).toBe(403);
		expect(api.type).toContain('application/problem+json');
		expect(JSON.parse(api.text).type).toMatch(/\/password-change-required$/);
		const page = await through('/staff/cards', first.token);
		expect(page).toMatchObject({ status: 303, location: '/staff/account' });
		const data = await through('/staff/cards/__data.json', first.token);
		expect(JSON.parse(data.text)).toEqual({ type: 'redirect', location: '/staff/account' });
		expect((await through('/staff/account', first.token)).text).toBe('reached');
		expect((await through('/api/v1/staff/session/password', first.token, 'PUT', { current: 'a', next: 'b' })).text).toBe('reached');
		expect((await through('/api/v1/staff/session', first.token, 'DELETE')).text).toBe('reached');

		await changeOwnPassword(ctx, first.principal, { current: 'Initial-Copper-Valley-25', next: 'Own-Choice-Harvest-Moon-3' });
		expect(await flag('pwnew')).toBe(false);
		// the same session goes on, now without the barrier
		expect((await through('/api/v1/staff/reservations?status=active', first.token)).text).toBe('reached');
		expect((await through('/staff/cards', first.token)).text).toBe('reached');

		// an admin resets it: the flag is back, the user's sessions end, the next login is held again
		await resetPassword(ctx, admin, user.id, { password: 'Reset-Amber-Pillow-48' } as never);
		expect(await flag('pwnew')).toBe(true);
		expect(await authenticate(ctx, first.token)).toBeNull();
		const again = await login(ctx, { login: 'pwnew', password: 'Reset-Amber-Pillow-48' });
		expect((await through('/api/v1/staff/cards', again.token)).status).toBe(403);
	});

	it('R-S01 users made outside the admin flow (demo users, tests) are not forced; an admin resetting their own password is not forced', async () => {
		expect(await flag('pwadmin')).toBe(false);
		expect(admin.mustChangePassword).toBe(false);
		await resetPassword(ctx, admin, admin.userId, { password: 'Admin-Second-Orchard-90' } as never);
		expect(await flag('pwadmin')).toBe(false);
	});
});
