import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { startHubNode, stopHubNodes, type HubNode } from '../harness/hub-nodes.ts';
import { failureLock, recordFailure } from '../../src/lib/server/security/limits.ts';
import type { AppContext } from '../../src/lib/server/context.ts';

/**
 * R-O10: a test environment identical to production — same code, same configuration shape —
 * with its own data: its own database and its own REDIS_KEY on the SAME Redis. Two deployments,
 * "production" (two nodes) and "test" (one node), each on a database of its own: what one node of
 * production sends reaches production's other node (the control), and never the test deployment —
 * a live push, a session-cache invalidation, a rate-limit counter.
 */
const run = randomUUID().slice(0, 8);
const KEYS = { prod: `prod-${run}`, test: `test-${run}` };
let prodDb: TestDatabase;
let testDb: TestDatabase;
let redis: ReturnType<typeof createClient>;
const nodes: HubNode[] = [];
let prod1: HubNode, prod2: HubNode, test1: HubNode;
const sockets: Socket[] = [];
const DATE = new Date(Date.now() + 10 * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });
const MONTH = DATE.slice(0, 7);

/** The node's context with its rate limits in the shared Redis under its own REDIS_KEY, as boot does. */
function withRedis(n: HubNode): AppContext {
	n.ctx.redis = { mode: 'redis', ping: async () => true, client: redis };
	return n.ctx;
}

beforeAll(async () => {
	const url = inject('databaseUrl');
	[prodDb, testDb] = await Promise.all([createTestDatabase(url, 'deploy_prod'), createTestDatabase(url, 'deploy_test')]);
	redis = createClient({ url: inject('redisUrl') });
	await redis.connect();
	const start = async (db: TestDatabase, key: string) => {
		const n = await startHubNode(db.db, inject('redisUrl'), { key, config: { REDIS_KEY: key }, sessionCacheMs: 60_000 });
		nodes.push(n);
		return n;
	};
	prod1 = await start(prodDb, KEYS.prod);
	prod2 = await start(prodDb, KEYS.prod);
	test1 = await start(testDb, KEYS.test);
}, 120_000);

afterAll(async () => {
	for (const s of sockets) s.close();
	await stopHubNodes(nodes);
	for (const k of Object.values(KEYS)) for (const key of await redis.keys(`${k}:*`)) await redis.del(key);
	await redis?.close();
	await prodDb?.drop();
	await testDb?.drop();
});

function watchMonth(node: HubNode, locationId: number): Promise<{ pushes: number[] }> {
	const seen = { pushes: [] as number[] };
	const s = connect(`${node.url}/public`, { transports: ['websocket'], forceNew: true, reconnection: false });
	sockets.push(s);
	s.on('availability', (p: { locationId: number }) => seen.pushes.push(p.locationId));
	return new Promise((resolve, reject) => {
		s.on('connect_error', reject);
		s.on('connect', () =>
			s.emit('subscribe', { locationId, month: MONTH }, (r: { data?: unknown; error?: unknown }) => (r.error ? reject(new Error(JSON.stringify(r.error))) : resolve(seen)))
		);
	});
}

describe('R-O10 two deployments on one Redis stay apart', () => {
	it('R-O10 a live push of production reaches production’s other node, never the test deployment’s clients', async () => {
		// the same location id in both databases (a test environment restored from production's
		// dump looks like this): only the channel prefix keeps the rooms apart. Raw SQL: the
		// process binds its models to one database only.
		const id = 4242;
		for (const db of [prodDb.db, testDb.db]) {
			await db.sequelize.query(`INSERT INTO locations (id, code, name_ja, name_en, citizen_bookable) VALUES (:id, 'apart', '分離テスト支所', 'Apart', true)`, { replacements: { id } });
			await db.sequelize.query(`INSERT INTO slots (location_id, date, starts_at, ends_at, capacity) VALUES (:id, :date, :at, :at::timestamptz + interval '30 minutes', 4)`, {
				replacements: { id, date: DATE, at: `${DATE}T10:00:00+09:00` }
			});
		}
		const onProd2 = await watchMonth(prod2, id);
		const onTest1 = await watchMonth(test1, id);
		await prodDb.db.sequelize.query(`UPDATE slots SET booked = 4 WHERE location_id = :id`, { replacements: { id } });
		prod1.ctx.events.slotsChanged(id, [DATE]);
		await vi.waitFor(() => expect(onProd2.pushes).toContain(id), { timeout: 5000, interval: 20 });
		// the coalesced push went out; give the other prefix more than that time to hear anything
		await new Promise((r) => setTimeout(r, 1000));
		expect(onTest1.pushes).toEqual([]);
	});

	it('R-O10 a session ended in production leaves production’s session caches only; the test deployment hears no session event', async () => {
		// the same session id cached in both deployments (again: a test environment from production's dump)
		const sid = randomUUID();
		const principal = { id: 1, login: 'apartstaff', role: 'supervisor', sessionId: sid };
		const until = Date.now() + 600_000;
		for (const n of [prod1, prod2, test1]) n.ctx.sessions!.set(sid, principal, until, 1);
		const heard = { prod2: 0, test1: 0 };
		prod2.rt.io.on('mn:sessions-ended', () => heard.prod2++);
		test1.rt.io.on('mn:sessions-ended', () => heard.test1++);
		// what logout() publishes after its commit
		prod1.ctx.events.sessionsRevoked!([sid]);
		expect(prod1.ctx.sessions!.get(sid)).toBeUndefined();
		await vi.waitFor(() => expect(prod2.ctx.sessions!.get(sid)).toBeUndefined(), { timeout: 3000, interval: 20 });
		expect(heard.prod2).toBe(1);
		await new Promise((r) => setTimeout(r, 500));
		expect(heard.test1).toBe(0);
		expect(test1.ctx.sessions!.get(sid)).toEqual(principal);
	});

	it('R-O10 R-C14 a lockout counted in production locks production’s nodes, not the test deployment', async () => {
		const spec = { points: 3, seconds: 600, blockSeconds: 600 };
		const [p1, p2, t1] = [withRedis(prod1), withRedis(prod2), withRedis(test1)];
		for (let i = 0; i < 3; i++) await recordFailure(p1, 'verify-ip', spec, 'client-203.0.113.5');
		expect(await failureLock(p2, 'verify-ip', spec, 'client-203.0.113.5')).toBeGreaterThan(0);
		expect(await failureLock(t1, 'verify-ip', spec, 'client-203.0.113.5')).toBeNull();
		// and the counters sit under each deployment's own prefix in the one Redis
		expect((await redis.keys(`${KEYS.prod}:rl:*`)).length).toBeGreaterThan(0);
		expect(await redis.keys(`${KEYS.test}:rl:*`)).toEqual([]);
	});
});
