import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { startRedisServer } from '../harness/services.ts';
import { startHubNode, stopHubNodes, type HubNode, type HubNodeOptions } from '../harness/hub-nodes.ts';
import { monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { listStaffSlots, setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import { login, type Principal } from '../../src/lib/server/auth/session.ts';
import type { AvailabilityPush, SlotsPush, Ack } from '../../src/lib/realtime/events.ts';

/**
 * Two hub instances ("nodes") on one database and one Redis, as in production (R-L04).
 * Redis here is a redis-server of the test's own so it can be stopped and started again.
 */
let t: TestDatabase;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
const nodes: HubNode[] = [];
const sockets: Socket[] = [];
let supervisor: Principal;
let token: string;
let locationId: number;
let slotId: string;
const DATE = '2026-12-02';
const NOW = new Date('2026-11-24T00:00:00Z');

async function startNode(states?: HubNodeOptions['states']) {
	const node = await startHubNode(t.db, redis.url, { now: NOW, config: { REALTIME_COALESCE_MS: '20' }, states });
	nodes.push(node);
	return node;
}

function client(url: string, ns: string, auth?: Record<string, string>) {
	const s = connect(url + ns, { transports: ['websocket'], reconnection: true, reconnectionDelay: 100, ...(auth ? { auth } : {}) });
	sockets.push(s);
	return s;
}

function next<T>(s: Socket, event: string, pred: (p: T) => boolean = () => true, ms = 5000): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
		const on = (p: T) => {
			if (!pred(p)) return;
			clearTimeout(timer);
			s.off(event, on);
			resolve(p);
		};
		s.on(event, on);
	});
}

function emitAck<T>(s: Socket, event: string, payload: unknown): Promise<Ack<T>> {
	return s.timeout(5000).emitWithAck(event, payload) as Promise<Ack<T>>;
}

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'realtime');
	redis = await startRedisServer();
	const loc = await makeLocation(t.db);
	locationId = loc.id;
	slotId = String((await makeSlot(t.db, loc.id, DATE, '10:00', 3)).id);
	const user = await makeStaff(t.db, 'supervisor', 'pw-rt-12345');
	await startNode();
	await startNode();
	const r = await login(nodes[0].ctx, { login: user.login, password: 'pw-rt-12345' });
	supervisor = r.principal;
	token = r.token;
});

afterAll(async () => {
	for (const s of sockets) s.close();
	await stopHubNodes(nodes);
	await redis?.stop();
	await t?.drop();
});

let capacity = 3;
const change = (to: number) => setSlotCapacity(nodes[0].ctx, supervisor, { slotId, capacity: (capacity = to), reason: 'テスト' });

describe('realtime fan-out across nodes', () => {
	it('R-C06 R-L04 a capacity change on node A reaches a citizen calendar on node B, as levels only', async () => {
		const citizen = client(nodes[1].url, '/public');
		const first = await emitAck<AvailabilityPush>(citizen, 'subscribe', { locationId, month: '2026-12' });
		expect('data' in first && first.data.days.find((d) => d.date === DATE)?.level).toBe('many');
		const pushed = next<AvailabilityPush>(citizen, 'availability', (p) => p.days.some((d) => d.date === DATE && d.level === 'closed'));
		await change(0);
		const p = await pushed;
		expect(BigInt(p.version)).toBeGreaterThan(BigInt('data' in first ? first.data.version : '0'));
		for (const k of ['capacity', 'booked', 'held', 'checkedIn']) expect(JSON.stringify(p)).not.toContain(k);
	});

	it('R-L01 R-S05 staff on node B see the new capacity and counts pushed from node A', async () => {
		const staff = client(nodes[1].url, '/staff', { token });
		const ack = await emitAck<SlotsPush>(staff, 'subscribe', { locationId, date: DATE });
		expect('data' in ack && ack.data.slots[0].capacity).toBe(capacity);
		const pushed = next<SlotsPush>(staff, 'slots', (p) => p.slots.some((s) => s.id === slotId && s.capacity === 5));
		await change(5);
		const p = await pushed;
		expect(p.slots[0]).toMatchObject({ id: slotId, capacity: 5, booked: 0, held: 0, checkedIn: 0 });
	});

	it('R-S01 a socket without a valid session is refused /staff', async () => {
		const anon = client(nodes[1].url, '/staff');
		const err = await new Promise<Error>((res) => anon.once('connect_error', res));
		expect(err.message).toBe('unauthenticated');
		const forged = client(nodes[1].url, '/staff', { token: 'forged.token.value' });
		expect((await new Promise<Error>((res) => forged.once('connect_error', res))).message).toBe('unauthenticated');
	});

	it('R-C05 a bad subscribe gets a clear error and joins nothing', async () => {
		const citizen = client(nodes[0].url, '/public');
		const bad = await emitAck(citizen, 'subscribe', { locationId: 'x', month: '2026-13' });
		expect(bad).toMatchObject({ error: { code: 'bad_request' } });
		const unknown = await emitAck(citizen, 'subscribe', { locationId: 999999, month: '2026-12' });
		expect(unknown).toMatchObject({ error: { code: 'not_found' } });
	});

	it('R-L04 after Redis restarts, cross-node fan-out resumes without restarting the nodes', async () => {
		const citizen = client(nodes[1].url, '/public');
		await emitAck(citizen, 'subscribe', { locationId, month: '2026-12' });
		const port = redis.port;
		await redis.stop();
		// While Redis is away, node A still commits (Postgres is the truth).
		await change(1);
		redis = await startRedisServer(port);
		// Wait until both nodes' clients are ready again, then a change must cross over.
		let received = false;
		for (let i = 0; i < 50 && !received; i++) {
			const got = next<AvailabilityPush>(citizen, 'availability', (p) => p.days.some((d) => d.date === DATE), 400).then(
				() => true,
				() => false
			);
			await change(i % 2 === 0 ? 6 : 7);
			received = await got;
		}
		expect(received).toBe(true);
	});
});

describe('a subscribe joins its room before it reads (R-L04)', () => {
	it('R-L04 R-C06 a change committed on another node while a subscribe reads its state reaches the socket: the push comes before the older ack, nothing falls between them', async () => {
		const month = DATE.slice(0, 7);
		let inRoomAtRead: boolean | null = null;
		const node = await startNode((ctx, io) => ({
			publicMonth: async (loc, m) => {
				inRoomAtRead = (io().of('/public').adapter.rooms.get(`pub:${loc}:${m}`)?.size ?? 0) > 0;
				const before = await monthAvailability(ctx, loc, m);
				// While this subscribe is reading, a supervisor on node A changes a capacity; A pushes it.
				const arrives = next(citizen, 'availability', () => true, 4000);
				await change(capacity + 1);
				// the read ends only once the push has reached the socket (or surely never will): an event, not a
				// guess at how long the push takes through node A, Redis and this node
				await arrives.catch(() => undefined);
				return before;
			},
			staffDay: async (loc, date) => ({ locationId: loc, date, slots: await listStaffSlots(ctx, loc, date) }),
			board: (loc) => boardCounters(ctx, loc)
		}));
		const citizen = client(node.url, '/public');
		const pushed: AvailabilityPush[] = [];
		citizen.on('availability', (p: AvailabilityPush) => pushed.push(p));
		const ack = await emitAck<AvailabilityPush>(citizen, 'subscribe', { locationId, month });
		expect(inRoomAtRead).toBe(true);
		if (!('data' in ack)) throw new Error(`subscribe failed: ${JSON.stringify(ack)}`);
		// Read the other way round (state, then room), the push went out before the socket was in the
		// room and the socket would show the acked, older state until the next change.
		expect(pushed.length).toBeGreaterThan(0);
		expect(BigInt(pushed[pushed.length - 1].version)).toBeGreaterThan(BigInt(ack.data.version));
		expect(pushed[pushed.length - 1].version).toBe((await monthAvailability(node.ctx, locationId, month)).version);
	});

	it('R-C05 R-L04 a subscribe the app refuses (a location citizens cannot book) leaves no socket in that room, and the socket keeps no other room', async () => {
		const hidden = await makeLocation(t.db, { citizenBookable: false });
		const node = nodes[0];
		const citizen = client(node.url, '/public');
		const first = await emitAck<AvailabilityPush>(citizen, 'subscribe', { locationId, month: '2026-12' });
		expect('data' in first).toBe(true);
		const refused = await emitAck<AvailabilityPush>(citizen, 'subscribe', { locationId: hidden.id, month: '2026-12' });
		expect('error' in refused && refused.error.code).toBe('not_found');
		const rooms = node.rt.io.of('/public').adapter.rooms;
		expect(rooms.get(`pub:${hidden.id}:2026-12`)?.size ?? 0).toBe(0);
		expect(rooms.get(`pub:${locationId}:2026-12`)?.has(citizen.id!) ?? false).toBe(false);
	});
});

