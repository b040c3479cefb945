import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { startRedisServer } from '../harness/services.ts';
import { boot, type Booted } from '../../server/boot.ts';
import { parseConfig } from '../../src/lib/server/config.ts';
import { createLogger } from '../../src/lib/server/log.ts';
import { setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import { login } from '../../src/lib/server/auth/session.ts';
import type { AvailabilityPush } from '../../src/lib/realtime/events.ts';

/** R-O01 R-O06: with Redis gone a node keeps booking and pushing to its own clients, and says so on /readyz. */
let t: TestDatabase;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
let http: HttpServer;
let app: Booted;
let url: string;
const sockets: Socket[] = [];

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'degraded');
	redis = await startRedisServer();
	http = createServer((req, res) => {
		if (!app.ops(req, res)) res.writeHead(404).end();
	});
	const config = parseConfig({ DATABASE_URL: t.url, REDIS_URL: redis.url, JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', SEED_DEMO: 'false', REALTIME_COALESCE_MS: '10' });
	app = await boot(config, http, createLogger('silent'));
	await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
});

afterAll(async () => {
	for (const s of sockets) s.close();
	await app?.close();
	await redis?.stop();
	await t?.drop();
});

const ready = async () => (await fetch(`${url}/readyz`)).json();

describe('Redis outage', () => {
	it('R-O06 /readyz reports ok, then degraded while Redis is down, then ok again; /healthz stays up', async () => {
		expect(await ready()).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2027-01-12', '10:00', 3);
		await makeStaff(t.db, 'supervisor', 'pw-degraded-1', 'degradedsup');
		const { principal } = await login(app.ctx, { login: 'degradedsup', password: 'pw-degraded-1' });

		const citizen = connect(`${url}/public`, { transports: ['websocket'] });
		sockets.push(citizen);
		await citizen.timeout(5000).emitWithAck('subscribe', { locationId: loc.id, month: '2027-01' });

		await redis.stop();
		let r = await ready();
		for (let i = 0; i < 20 && r.status !== 'degraded'; i++) r = await new Promise((res) => setTimeout(() => res(ready()), 100));
		expect(r).toEqual({ status: 'degraded', database: 'ok', redis: 'down' });
		expect((await fetch(`${url}/healthz`)).status).toBe(200);

		// Postgres is the truth: the change commits, and this node's own clients still hear of it.
		const pushed = new Promise<AvailabilityPush>((res) => citizen.once('availability', res));
		const changed = await setSlotCapacity(app.ctx, principal, { slotId: String(slot.id), capacity: 0, reason: 'Redis停止中' });
		expect(changed.capacity).toBe(0);
		expect((await pushed).days.find((d) => d.date === '2027-01-12')?.level).toBe('closed');

		redis = await startRedisServer(redis.port);
		r = await ready();
		for (let i = 0; i < 50 && r.status !== 'ok'; i++) r = await new Promise((res) => setTimeout(() => res(ready()), 100));
		expect(r.status).toBe('ok');
	});
});

describe('draining before a shutdown', () => {
	it('R-O08 drain(): /readyz answers 503 "draining" at once while the node still serves; closing the sockets lets clients reconnect by themselves', async () => {
		const s = connect(`${url}/public`, { transports: ['websocket'], reconnectionDelay: 100 });
		sockets.push(s);
		await new Promise<void>((r) => s.once('connect', () => r()));
		expect(app.draining).toBe(false);
		app.drain();
		const r = await fetch(`${url}/readyz`);
		expect(r.status).toBe(503);
		expect(await r.json()).toEqual({ status: 'draining' });
		expect((await fetch(`${url}/healthz`)).status).toBe(200);
		expect(s.connected).toBe(true);
		const reason = new Promise((res) => s.once('disconnect', res));
		// The client must try again on its own (a balancer sends it to another node): not "io server disconnect".
		const retried = new Promise((res) => s.io.once('reconnect_attempt', () => (s.close(), res(true))));
		await app.realtime.close();
		expect(await reason).toBe('transport close');
		expect(await retried).toBe(true);
	});
});
