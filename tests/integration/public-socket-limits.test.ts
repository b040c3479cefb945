/**
 * R-O04: the anonymous /public namespace is limited. An attacker's probe had one socket answered
 * 1,200 month subscribes in 8 s (each a database read) and 300 sockets from one address accepted.
 * Two nodes on one Redis, limits counted in that Redis (as in production): a subscribe over the
 * per-socket or per-address rate gets an ack {error} and no database read; a connection over the
 * per-address count gets a connect_error; a closed connection frees its place on any node.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation } from '../harness/factories.ts';
import { startRedisServer } from '../harness/services.ts';
import { startHubNode, stopHubNodes, type HubNode } from '../harness/hub-nodes.ts';
import { monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { listStaffSlots } from '../../src/lib/server/scheduling/capacity.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { PUBLIC_LIMIT_MESSAGES } from '../../server/realtime/public-limits.ts';
import type { Ack, AvailabilityPush } from '../../src/lib/realtime/events.ts';

const NOW = new Date('2026-11-25T00:00:00Z');
let t: TestDatabase;
let redis: Awaited<ReturnType<typeof startRedisServer>>;
let locationId: number;
let nodes: HubNode[] = [];
const sockets: Socket[] = [];
/** Month reads the hubs made (each one a database read). */
let reads = 0;
let run = 0;

/** Two nodes with limits of their own (a fresh REDIS_KEY, so no count of another test carries over). */
async function twoNodes(limits: Record<string, string>) {
	const key = `pl-${t.name}-${++run}`;
	const config = { REDIS_KEY: key, ...limits };
	for (let i = 0; i < 2; i++) {
		nodes.push(
			await startHubNode(t.db, redis.url, {
				now: NOW,
				key,
				config,
				sharedLimits: true,
				states: (ctx) => ({
					publicMonth: (l, m) => {
						reads++;
						return monthAvailability(ctx, l, m);
					},
					staffDay: async (l, d) => ({ locationId: l, date: d, slots: await listStaffSlots(ctx, l, d) }),
					board: (l) => boardCounters(ctx, l)
				})
			})
		);
	}
	return nodes;
}

type Outcome = { ok: true } | { ok: false; message: string; data: unknown };
/** How each socket's handshake ended, listened for from its creation (a later listener could miss it). */
const outcomes = new WeakMap<Socket, Promise<Outcome>>();
function client(url: string): Socket {
	const s = connect(url + '/public', { transports: ['websocket'], forceNew: true, reconnection: false });
	outcomes.set(
		s,
		new Promise<Outcome>((resolve) => {
			s.once('connect', () => resolve({ ok: true }));
			s.once('connect_error', (e: Error & { data?: unknown }) => resolve({ ok: false, message: e.message, data: e.data }));
		})
	);
	sockets.push(s);
	return s;
}
const connected = (s: Socket) => outcomes.get(s)!;
const subscribe = (s: Socket, month: string) => s.timeout(5000).emitWithAck('subscribe', { locationId, month }) as Promise<Ack<AvailabilityPush>>;
const months = (n: number) => Array.from({ length: n }, (_, i) => `20${String(27 + Math.floor(i / 12)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}`);

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'public_limits');
	redis = await startRedisServer();
	locationId = (await makeLocation(t.db)).id;
}, 120_000);
afterEach(async () => {
	for (const s of sockets.splice(0)) s.close();
	await stopHubNodes(nodes);
	nodes = [];
});
afterAll(async () => {
	await redis?.stop();
	await t?.drop();
});

describe('R-O04 limits of the anonymous live calendar', () => {
	it('R-O04 one socket gets PUBLIC_SUBSCRIBES_PER_MINUTE subscribes answered; the rest get an ack {error} and no database read', async () => {
		const [a] = await twoNodes({ PUBLIC_SUBSCRIBES_PER_MINUTE: '10', PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE: '1000' });
		const s = client(a.url);
		expect(await connected(s)).toEqual({ ok: true });
		reads = 0;
		const acks: Ack<AvailabilityPush>[] = [];
		for (const m of months(40)) acks.push(await subscribe(s, m));
		const ok = acks.filter((x) => 'data' in x);
		const refused = acks.filter((x) => 'error' in x) as { error: { code: string; message: string } }[];
		expect(ok).toHaveLength(10);
		expect(refused).toHaveLength(30);
		for (const r of refused) expect(r.error).toMatchObject({ code: 'rate_limited', message: PUBLIC_LIMIT_MESSAGES.subscribes });
		expect(reads).toBe(10);
		// the socket stays usable for its answered room: a second socket is not affected by the first's count
		const other = client(a.url);
		expect(await connected(other)).toEqual({ ok: true });
		expect(await subscribe(other, '2027-01')).toHaveProperty('data');
	}, 60_000);

	it('R-O04 subscribes from one address are counted across sockets and nodes (PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE)', async () => {
		const [a, b] = await twoNodes({ PUBLIC_SUBSCRIBES_PER_MINUTE: '10', PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE: '25' });
		const socks = [client(a.url), client(b.url), client(a.url), client(b.url)];
		for (const s of socks) expect(await connected(s)).toEqual({ ok: true });
		reads = 0;
		let answered = 0;
		let refused = 0;
		for (const s of socks) {
			for (const m of months(8)) {
				const ack = await subscribe(s, m);
				if ('data' in ack) answered++;
				else {
					expect(ack.error.code).toBe('rate_limited');
					refused++;
				}
			}
		}
		// 32 asked, 8 per socket (under the socket limit): only 25 answered for the address, on both nodes together
		expect(answered).toBe(25);
		expect(refused).toBe(7);
		expect(reads).toBeLessThanOrEqual(25);
	}, 60_000);

	it('R-O04 connections per address are counted over both nodes: over PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS a connect_error; a closed one frees its place', async () => {
		const [a, b] = await twoNodes({ PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS: '5' });
		const open = [client(a.url), client(b.url), client(a.url), client(b.url), client(a.url)];
		for (const s of open) expect(await connected(s)).toEqual({ ok: true });
		for (const url of [a.url, b.url]) {
			const extra = client(url);
			const r = await connected(extra);
			expect(r.ok).toBe(false);
			expect(r).toMatchObject({ message: 'too_many_connections', data: { retryAfter: expect.any(Number) } });
		}
		// one closes on node A; a new one may open on node B
		open[0].close();
		let again: { ok: boolean } = { ok: false };
		for (let i = 0; i < 50 && !again.ok; i++) {
			await new Promise((r) => setTimeout(r, 100));
			again = await connected(client(b.url));
		}
		expect(again.ok).toBe(true);
		expect(await subscribe(open[1], '2027-01')).toHaveProperty('data');
	}, 60_000);
});
