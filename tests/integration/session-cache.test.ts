import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { io as connect } from 'socket.io-client';
import { startRedisServer } from '../harness/services.ts';
import { startHubNode, stopHubNodes, type HubNode } from '../harness/hub-nodes.ts';
import { authenticate, login, logout } from '../../src/lib/server/auth/session.ts';
import { authenticateCitizen, endCitizenSession } from '../../src/lib/server/citizen/session.ts';
import { updateUser } from '../../src/lib/server/users/write.ts';

/**
 * Issue 11: each node keeps the sessions it resolved, so a request needs no database read for
 * its session; a logout, a changed user or a citizen session ending still reaches every node's
 * cache at once through Redis, and while a node cannot hear Redis it reads the database again.
 * Two hubs ("nodes") on one database and a Redis of the test's own, as in production.
 */
let t: TestDatabase;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
const nodes: HubNode[] = [];

async function startNode() {
	nodes.push(await startHubNode(t.db, redis.url, { key: `cache-${t.name}`, sessionCacheMs: 60_000 }));
}

/** Ends a session behind the app's back: only a node that reads the database notices. */
const revokeInDatabase = (sid: string) => t.db.sequelize.query(`UPDATE staff_sessions SET revoked_at = now() WHERE id = :sid`, { replacements: { sid } });

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'session_cache');
	redis = await startRedisServer();
	await makeStaff(t.db, 'admin', 'pw-cache-admin-1', 'cacheadmin');
	await makeStaff(t.db, 'supervisor', 'pw-cache-super-1', 'cachesuper');
	await startNode();
	await startNode();
}, 120_000);

afterAll(async () => {
	await stopHubNodes(nodes);
	await redis?.stop();
	await t?.drop();
});

describe('session cache (issue 11) with logout honoured on every node (R-S01, R-O04)', () => {
	it('R-S01 R-O04 a node answers a known session from its cache; a logout on node A ends it on node B at once', async () => {
		const [a, b] = nodes;
		const s = await login(a.ctx, { login: 'cachesuper', password: 'pw-cache-super-1' });
		expect((await authenticate(b.ctx, s.token))?.role).toBe('supervisor');
		// Ended behind the app's back (no event): node B still answers from its cache — no database read.
		await revokeInDatabase(s.principal.sessionId);
		expect((await authenticate(b.ctx, s.token))?.sessionId).toBe(s.principal.sessionId);

		// A real logout through node A: node B forgets the session as soon as Redis carries the word.
		const s2 = await login(a.ctx, { login: 'cachesuper', password: 'pw-cache-super-1' });
		expect(await authenticate(b.ctx, s2.token)).not.toBeNull();
		expect(await authenticate(a.ctx, s2.token)).not.toBeNull();
		await logout(a.ctx, s2.principal);
		expect(await authenticate(a.ctx, s2.token)).toBeNull();
		// The logout answered only after node B confirmed: the very next request there is refused
		// (the next request of a browser or a balancer may go to node B at once).
		expect(b.ctx.sessions?.get(s2.principal.sessionId)).toBeUndefined();
		expect(await authenticate(b.ctx, s2.token)).toBeNull();
	});

	it('R-S01 a role changed by an admin on node A applies to the sessions node B has cached', async () => {
		const [a, b] = nodes;
		const adminSession = await login(a.ctx, { login: 'cacheadmin', password: 'pw-cache-admin-1' });
		const s = await login(a.ctx, { login: 'cachesuper', password: 'pw-cache-super-1' });
		expect((await authenticate(b.ctx, s.token))?.role).toBe('supervisor');
		await updateUser(a.ctx, adminSession.principal, s.principal.userId, { role: 'viewer' });
		await vi.waitFor(async () => expect((await authenticate(b.ctx, s.token))?.role).toBe('viewer'), { timeout: 2000, interval: 20 });
		await updateUser(a.ctx, adminSession.principal, s.principal.userId, { role: 'supervisor' });
	});

	it('R-S01 R-O04 served locations taken on node A: the user’s live staff socket on node B leaves that location’s room at once', async () => {
		const [a, b] = nodes;
		const [one, two] = [await makeLocation(t.db), await makeLocation(t.db)];
		const clerk = await makeStaff(t.db, 'clerk', 'pw-cache-clerk-1', 'cacheclerk');
		for (const loc of [one, two]) await t.db.sequelize.query(`INSERT INTO staff_user_locations (staff_user_id, location_id) VALUES (:u, :l)`, { replacements: { u: clerk.id, l: loc.id } });
		const adminSession = await login(a.ctx, { login: 'cacheadmin', password: 'pw-cache-admin-1' });
		const s = await login(b.ctx, { login: 'cacheclerk', password: 'pw-cache-clerk-1' });
		const socket = connect(`${b.url}/staff`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token: s.token } });
		try {
			const ack = (await socket.timeout(5000).emitWithAck('subscribe', { locationId: two.id, date: '2026-12-02' })) as Record<string, unknown>;
			expect(ack).toHaveProperty('data');
			const inRoom = () => b.rt.io.of('/staff').adapter.rooms.get(`staff:${two.id}:2026-12-02`)?.has(socket.id!) ?? false;
			expect(inRoom()).toBe(true);
			await updateUser(a.ctx, adminSession.principal, clerk.id, { locationIds: [one.id] });
			await vi.waitFor(() => expect(inRoom()).toBe(false), { timeout: 2000, interval: 20 });
			expect(socket.connected).toBe(true);
		} finally {
			socket.close();
		}
	});

	it('R-C02 a citizen session ended on node A is gone on node B', async () => {
		const [a, b] = nodes;
		const sid = randomUUID();
		await t.db.sequelize.query(`INSERT INTO citizen_sessions (id, email, lang, expires_at) VALUES (:sid, 'cache@example.jp', 'ja', now() + interval '1 hour')`, { replacements: { sid } });
		const token = jwt.sign({ kind: 'citizen', sid }, a.ctx.jwtSecret, { expiresIn: 3600, algorithm: 'HS256' });
		const principal = await authenticateCitizen(b.ctx, token);
		expect(principal?.sessionId).toBe(sid);
		await endCitizenSession(a.ctx, principal!);
		// gone on node B before the end answered, not some moment later
		expect(b.ctx.sessions?.get(sid)).toBeUndefined();
		expect(await authenticateCitizen(b.ctx, token)).toBeNull();
	});

	it('R-O04 while Redis is away a node cannot hear logouts, so it reads every session from the database; back, it caches again', async () => {
		const [a, b] = nodes;
		const s = await login(a.ctx, { login: 'cachesuper', password: 'pw-cache-super-1' });
		expect(await authenticate(b.ctx, s.token)).not.toBeNull();
		await redis.stop();
		await vi.waitFor(() => expect(b.ctx.sessions?.live).toBe(false), { timeout: 5000, interval: 20 });
		// a logout elsewhere would not reach node B now: it must see the database
		await revokeInDatabase(s.principal.sessionId);
		expect(await authenticate(b.ctx, s.token)).toBeNull();

		redis = await startRedisServer(redis.port);
		await vi.waitFor(() => expect(b.ctx.sessions?.live).toBe(true), { timeout: 10_000, interval: 50 });
		const s2 = await login(a.ctx, { login: 'cachesuper', password: 'pw-cache-super-1' });
		expect(await authenticate(b.ctx, s2.token)).not.toBeNull();
		await revokeInDatabase(s2.principal.sessionId);
		expect(await authenticate(b.ctx, s2.token)).not.toBeNull();
	}, 30_000);
});
