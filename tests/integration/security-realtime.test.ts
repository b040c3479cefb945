import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { startRedisServer } from '../harness/services.ts';
import { startHubNode, stopHubNodes, type HubNode } from '../harness/hub-nodes.ts';
import { setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import { login, logout, type Principal } from '../../src/lib/server/auth/session.ts';
import { issueBoardToken, revokeBoardToken } from '../../src/lib/server/board/tokens.ts';
import type { Ack, AvailabilityPush, SlotsPush } from '../../src/lib/realtime/events.ts';

/**
 * Two hubs ("nodes") on one database and one Redis of the test's own (R-L04), for what an
 * attacker's probe found open (R-O04): sockets left in their rooms after logout or board-token
 * revocation, sockets opened from another origin, and screens left stale after a Redis outage.
 */
// Tokyo 2026-11-25 09:00: the slot below is today, so boards watch it too.
const NOW = new Date('2026-11-25T00:00:00Z');
const DATE = '2026-12-03';
let t: TestDatabase;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
const nodes: HubNode[] = [];
const sockets: Socket[] = [];
let locationId: number;
let slotId: string;
let admin: Principal;
let supervisor: Principal;

async function startNode() {
	const node = await startHubNode(t.db, redis.url, { now: NOW, config: { REALTIME_COALESCE_MS: '20' }, key: `sec-${t.name}` });
	nodes.push(node);
	return node;
}

function client(url: string, ns: string, opts: { auth?: Record<string, string>; origin?: string } = {}) {
	const s = connect(url + ns, {
		transports: ['websocket'],
		// a connection of its own: sockets to one URL otherwise share one manager and its headers
		forceNew: true,
		reconnection: true,
		reconnectionDelay: 100,
		...(opts.auth ? { auth: opts.auth } : {}),
		...(opts.origin ? { extraHeaders: { origin: opts.origin } } : {})
	});
	sockets.push(s);
	return s;
}
const emitAck = <T>(s: Socket, ev: string, p: unknown) => s.timeout(5000).emitWithAck(ev, p) as Promise<Ack<T>>;
const disconnected = (s: Socket, ms = 5000) =>
	new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error('still connected')), ms);
		s.once('disconnect', (reason) => {
			clearTimeout(timer);
			resolve(reason);
		});
	});
function next<T>(s: Socket, ev: string, pred: (p: T) => boolean, ms: number): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${ev} within ${ms} ms`)), ms);
		const on = (p: T) => {
			if (!pred(p)) return;
			clearTimeout(timer);
			s.off(ev, on);
			resolve(p);
		};
		s.on(ev, on);
	});
}

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'security_rt');
	redis = await startRedisServer();
	const loc = await makeLocation(t.db);
	locationId = loc.id;
	slotId = String((await makeSlot(t.db, loc.id, DATE, '10:00', 3)).id);
	await makeStaff(t.db, 'admin', 'pw-sec-admin-1', 'secadmin');
	await makeStaff(t.db, 'supervisor', 'pw-sec-super-1', 'secsuper');
	await startNode();
	await startNode();
	admin = (await login(nodes[0].ctx, { login: 'secadmin', password: 'pw-sec-admin-1' })).principal;
	supervisor = (await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' })).principal;
}, 120_000);

afterAll(async () => {
	for (const s of sockets) s.close();
	await stopHubNodes(nodes);
	await redis?.stop();
	await t?.drop();
});

describe('sockets are cut when their credential ends', () => {
	it('R-O04 R-S01 logout cuts the session\'s staff and board sockets on every node, and the token cannot reconnect', async () => {
		const s = await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' });
		const onA = client(nodes[0].url, '/staff', { auth: { token: s.token } });
		const onB = client(nodes[1].url, '/staff', { auth: { token: s.token } });
		const boardB = client(nodes[1].url, '/board', { auth: { token: s.token } });
		expect(await emitAck(onA, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');
		expect(await emitAck(onB, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');
		expect(await emitAck(boardB, 'subscribe', { locationId })).toHaveProperty('data');
		// another session of the same user stays connected
		const other = client(nodes[1].url, '/staff', { auth: { token: (await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' })).token } });
		expect(await emitAck(other, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');

		const cut = [disconnected(onA), disconnected(onB), disconnected(boardB)];
		await logout(nodes[0].ctx, s.principal);
		expect(await Promise.all(cut)).toEqual(['io server disconnect', 'io server disconnect', 'io server disconnect']);
		expect(other.connected).toBe(true);

		const again = client(nodes[1].url, '/staff', { auth: { token: s.token } });
		expect((await new Promise<Error>((res) => again.once('connect_error', res))).message).toBe('unauthenticated');
	}, 120_000);

	it('R-O04 R-L02 revoking a board token cuts the boards using it on every node; other tokens keep showing', async () => {
		const kept = await issueBoardToken(nodes[0].ctx, admin, { locationId, label: '残す表示' });
		const gone = await issueBoardToken(nodes[0].ctx, admin, { locationId, label: '取り消す表示' });
		const a = client(nodes[0].url, '/board', { auth: { boardToken: gone.token } });
		const b = client(nodes[1].url, '/board', { auth: { boardToken: gone.token } });
		const k = client(nodes[1].url, '/board', { auth: { boardToken: kept.token } });
		for (const s of [a, b, k]) expect(await emitAck(s, 'subscribe', { locationId })).toHaveProperty('data');
		const cut = [disconnected(a), disconnected(b)];
		// revoked through node B: node A's board is cut through Redis
		await revokeBoardToken(nodes[1].ctx, admin, { id: gone.id });
		expect(await Promise.all(cut)).toEqual(['io server disconnect', 'io server disconnect']);
		expect(k.connected).toBe(true);
	}, 60_000);
});

describe('session expiry', () => {
	it('R-S01 R-O04 a staff socket ends when its session token expires, without a logout', async () => {
		const s = await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' });
		// the same session, signed to expire in two seconds (as any token does at the end of its TTL)
		const short = jwt.sign({ sid: s.principal.sessionId, role: 'supervisor' }, nodes[0].ctx.jwtSecret, { subject: String(s.principal.userId), expiresIn: 2, algorithm: 'HS256' });
		const sock = client(nodes[1].url, '/staff', { auth: { token: short } });
		expect(await emitAck(sock, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');
		expect(await disconnected(sock, 5000)).toBe('io server disconnect');
	}, 30_000);
});

describe('Origin of the handshake', () => {
	it('R-O04 a page of another origin (same site) cannot open a socket; our own origin and non-browser clients can', async () => {
		const s = await login(nodes[0].ctx, { login: 'secadmin', password: 'pw-sec-admin-1' });
		const evil = client(nodes[0].url, '/staff', { auth: { token: s.token }, origin: 'http://evil.127.0.0.1.nip.io' });
		const err = await new Promise<Error>((res) => evil.once('connect_error', res));
		expect(err.message).not.toBe('');
		expect(evil.connected).toBe(false);
		evil.close();
		const sameSiteOtherPort = client(nodes[0].url, '/public', { origin: nodes[1].url });
		await new Promise<Error>((res) => sameSiteOtherPort.once('connect_error', res));
		sameSiteOtherPort.close();
		const ours = client(nodes[0].url, '/staff', { auth: { token: s.token }, origin: nodes[0].url });
		expect(await emitAck(ours, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');
		const script = client(nodes[0].url, '/public');
		expect(await emitAck(script, 'subscribe', { locationId, month: DATE.slice(0, 7) })).toHaveProperty('data');
	}, 60_000);
});

describe('Redis outage and return', () => {
	it('R-L04 a capacity change made on node A while Redis was down reaches calendars and staff screens on node B once Redis returns, with no new change (the 2 s bound on the nodes’ own waits: tests/unit/redis-resync.test.ts)', async () => {
		const citizen = client(nodes[1].url, '/public');
		const first = await emitAck<AvailabilityPush>(citizen, 'subscribe', { locationId, month: DATE.slice(0, 7) });
		expect('data' in first && first.data.days.find((d) => d.date === DATE)?.level).not.toBe('closed');
		const s = await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' });
		const staffB = client(nodes[1].url, '/staff', { auth: { token: s.token } });
		expect(await emitAck(staffB, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');

		const port = redis.port;
		await redis.stop();
		await new Promise((r) => setTimeout(r, 300));
		await setSlotCapacity(nodes[0].ctx, supervisor, { slotId, capacity: 0, reason: 'Redis 停止中の変更' });
		// node B's clients do not hear of it while Redis is away
		await expect(next<AvailabilityPush>(citizen, 'availability', (p) => p.days.some((d) => d.date === DATE && d.level === 'closed'), 800)).rejects.toThrow();

		// Redis's return alone brings both screens up to date. The 2 s are the node's own waits, counted on
		// fake timers in tests/unit/redis-resync.test.ts (at most 750 ms); the wall clock here is only a
		// failure detector, so a loaded machine does not fail the test.
		const calendar = next<AvailabilityPush>(citizen, 'availability', (p) => p.days.some((d) => d.date === DATE && d.level === 'closed'), 15_000);
		const grid = next<SlotsPush>(staffB, 'slots', (p) => p.slots.some((x) => x.id === slotId && x.capacity === 0), 15_000);
		redis = await startRedisServer(port);
		await Promise.all([calendar, grid]);
	}, 60_000);

	it('R-O04 R-L04 a logout made while Redis was down still cuts the other node\'s sockets once Redis returns', async () => {
		const s = await login(nodes[0].ctx, { login: 'secsuper', password: 'pw-sec-super-1' });
		const staffB = client(nodes[1].url, '/staff', { auth: { token: s.token } });
		expect(await emitAck(staffB, 'subscribe', { locationId, date: DATE })).toHaveProperty('data');
		const port = redis.port;
		await redis.stop();
		await new Promise((r) => setTimeout(r, 300));
		const cut = disconnected(staffB, 5000);
		await logout(nodes[0].ctx, s.principal);
		redis = await startRedisServer(port);
		expect(await cut).toBe('io server disconnect');
	}, 60_000);
});
