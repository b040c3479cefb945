/**
 * N socket.io-client connections in this process (websocket transport, no reconnection), spread
 * round-robin over the given servers, each subscribed on `/public`. Every client remembers the
 * highest `version` it has received; `arm(target)` then resolves when every client holds at
 * least `target`, with the times of the first and last client to get there.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { AvailabilityPush, Ack, PublicSubscribe } from '../../../src/lib/realtime/events.ts';
import { withTimeout } from './procs.ts';

export interface Arrival {
	/** performance.now() of the first client reaching the target */
	firstAt: number;
	/** performance.now() of the last client reaching the target */
	lastAt: number;
	/** Share of this process's event loop that was busy from the first to the last receipt (1 = saturated). */
	busy: number;
}

export interface Pool {
	size: number;
	/** Pushes received by all clients since the last resetCount(). */
	received(): number;
	resetCount(): void;
	/** Highest version any client holds. */
	maxVersion(): number;
	/** Payload of the first subscribe ack (the shape the server pushes). */
	firstAck: AvailabilityPush;
	/** Call before triggering the change that produces `target`; then await wait(). */
	arm(target: number): { wait(timeoutMs: number): Promise<Arrival> };
	close(): void;
}

function connectOne(url: string, sub: PublicSubscribe, timeoutMs: number): Promise<{ socket: Socket; ack: AvailabilityPush }> {
	const socket = io(`${url}/public`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs });
	const ready = new Promise<{ socket: Socket; ack: AvailabilityPush }>((resolve, reject) => {
		socket.once('connect_error', (e) => reject(new Error(`connect to ${url}: ${e.message}`)));
		socket.once('connect', () => {
			socket.emit('subscribe', sub, (r: Ack<AvailabilityPush>) => {
				if ('data' in r) resolve({ socket, ack: r.data });
				else reject(new Error(`subscribe on ${url}: ${r.error.code} ${r.error.message}`));
			});
		});
	});
	return withTimeout(ready, timeoutMs, `client connect+subscribe to ${url}`).catch((e) => {
		socket.disconnect();
		throw e;
	});
}

export async function connectPool(urls: string[], n: number, sub: PublicSubscribe, opts: { batch?: number; timeoutMs?: number } = {}): Promise<Pool> {
	const batch = opts.batch ?? 200;
	const timeoutMs = opts.timeoutMs ?? 30_000;
	const sockets: Socket[] = [];
	const last = new Float64Array(n);
	let received = 0;
	let lostConnections = 0;
	let closing = false;
	// The armed wait: target version, clients still below it, first/last arrival.
	let target = Infinity;
	let remaining = 0;
	let firstAt = 0;
	let lastAt = 0;
	let eluAtFirst: EventLoopUtilization | null = null;
	let busy = NaN;
	let onAll: (() => void) | null = null;

	const attach = (i: number, socket: Socket) => {
		socket.on('availability', (p: AvailabilityPush) => {
			const now = performance.now();
			received++;
			const v = Number(p.version);
			if (v >= target && last[i] < target) {
				if (firstAt === 0) {
					firstAt = now;
					eluAtFirst = performance.eventLoopUtilization();
				}
				lastAt = now;
				if (--remaining === 0) {
					busy = performance.eventLoopUtilization(eluAtFirst!).utilization;
					onAll?.();
				}
			}
			if (v > last[i]) last[i] = v;
		});
		socket.on('disconnect', () => {
			if (!closing) lostConnections++;
		});
	};

	let firstAck: AvailabilityPush | undefined;
	try {
		for (let start = 0; start < n; start += batch) {
			const ids = Array.from({ length: Math.min(batch, n - start) }, (_, k) => start + k);
			const results = await Promise.allSettled(ids.map((i) => connectOne(urls[i % urls.length], sub, timeoutMs)));
			const failed = results.find((r) => r.status === 'rejected');
			for (let k = 0; k < results.length; k++) {
				const r = results[k];
				if (r.status !== 'fulfilled') continue;
				const i = ids[k];
				sockets.push(r.value.socket);
				last[i] = Number(r.value.ack.version);
				firstAck ??= r.value.ack;
				attach(i, r.value.socket);
			}
			if (failed) throw (failed as PromiseRejectedResult).reason;
		}
	} catch (e) {
		closing = true;
		for (const s of sockets) s.disconnect();
		throw e;
	}

	return {
		size: n,
		firstAck: firstAck!,
		received: () => received,
		resetCount() {
			received = 0;
		},
		maxVersion() {
			let m = 0;
			for (const v of last) if (v > m) m = v;
			return m;
		},
		arm(t: number) {
			target = t;
			firstAt = 0;
			lastAt = 0;
			eluAtFirst = null;
			busy = NaN;
			remaining = 0;
			for (const v of last) if (v < t) remaining++;
			const all = new Promise<void>((resolve) => {
				onAll = resolve;
				if (remaining === 0) resolve();
			});
			return {
				wait: async (ms: number) => {
					try {
						await withTimeout(all, ms, `all ${n} clients to receive version ${t}`);
					} catch (e) {
						throw new Error(`${(e as Error).message} (${remaining} still missing, ${lostConnections} connections lost)`);
					} finally {
						onAll = null;
					}
					return { firstAt, lastAt, busy };
				}
			};
		},
		close() {
			closing = true;
			for (const s of sockets) s.disconnect();
		}
	};
}
