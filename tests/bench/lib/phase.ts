/**
 * One round of the fan-out benchmark for one N: the app and the bare baseline each get N clients
 * over their two servers (memory read before and after), then `changes` pushes per side, each
 * triggered by the side's `trigger` and timed until the last client holds the new version.
 * The same code measures both sides.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connectPool, type Pool } from './clients.ts';
import { collectGarbage, hostCpu, hostCpuPct as hostCpuPctBetween, sleep, type ProcStats } from './procs.ts';
import type { PublicSubscribe } from '../../../src/lib/realtime/events.ts';

export interface Summary {
	p50: number;
	p99: number;
	max: number;
	mean: number;
}

/** Nearest-rank percentiles (p99 of 100 samples is the 99th smallest). */
export function summarize(xs: number[]): Summary {
	const s = [...xs].sort((a, b) => a - b);
	const rank = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
	return { p50: rank(50), p99: rank(99), max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export interface Server {
	name: string;
	url: string;
	inspectPort: number;
}

/** One side of the comparison: the app's two nodes, or the two bare servers. */
export interface Side {
	label: string;
	servers: Server[];
	stats(url: string): Promise<ProcStats>;
	/** Causes push number `k` carrying at least version `target`; may return when the server emitted (performance.now() clock). */
	trigger(k: number, target: number): Promise<number | null>;
}

export interface RoundOptions {
	n: number;
	sub: PublicSubscribe;
	changes: number;
	warmup: number;
	gapMs: number;
}

export interface SideResult {
	label: string;
	n: number;
	changes: number;
	connectSeconds: number;
	/** trigger sent (t0) → last client's receipt */
	latency: Summary;
	/** trigger answered (t1) → last client's receipt */
	afterResponse: Summary;
	/** t0 → first client's receipt */
	first: Summary;
	/** first → last client's receipt */
	spread: Summary;
	/** server's emit → last receipt (baseline only; the app does not report its emit time) */
	emitToLast: Summary | null;
	received: number;
	expected: number;
	/**
	 * pushes received / (first request → last receipt) of this side alone: the sum of its pushes'
	 * request → last receipt plus the gaps between them (the other side's interleaved pushes left out)
	 */
	msgsPerSec: number;
	/** pushes received / sum of (request → last receipt): the rate while a push is in flight */
	msgsPerSecInPush: number;
	/** per server, after a forced GC before and after connecting */
	memory: Record<string, { rssKiBPerConn: number; heapKiBPerConn: number; connections: number; rssMiBAfter: number }>;
	/** CPU time per push of each server (over the measured window, divided by this side's pushes) */
	serverCpuMsPerPush: Record<string, number>;
	/** this process's CPU time from request to last receipt, per push */
	clientCpuMsPerPush: number;
	clientCpuUsPerMessage: number;
	/** client event loop busy share between first and last receipt of each push (1 = saturated) */
	clientBusyInSpread: Summary;
}

export interface RoundResult {
	n: number;
	sides: SideResult[];
	/** whole machine CPU over the measured window, % of one core */
	hostCpuPct: number;
	windowSeconds: number;
	/** 1-minute load average at the end of the measured window */
	loadavgAfter: number;
}

const KiB = 1024;

/** Memory figures after a forced full GC on every server. */
async function memoryAll(servers: Server[], stats: (url: string) => Promise<ProcStats>): Promise<ProcStats[]> {
	await Promise.all(servers.map((s) => collectGarbage(s.inspectPort)));
	return Promise.all(servers.map((s) => stats(s.url)));
}

async function untilDisconnected(urls: string[], stats: (url: string) => Promise<ProcStats>) {
	// Let the servers see every disconnect before the next phase measures memory again.
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const s = await Promise.all(urls.map((u) => stats(u))).catch(() => null);
		if (s && s.every((x) => x.clients === 0)) return;
		await sleep(250);
	}
}

/**
 * Connects and drops `n` clients once, so that one-time costs (JIT, buffer pools, module caches)
 * are paid before the first memory reading rather than charged to the first N.
 */
export async function warmUpConnections(servers: Server[], n: number, sub: PublicSubscribe, stats: (url: string) => Promise<ProcStats>) {
	const urls = servers.map((s) => s.url);
	const pool = await connectPool(urls, n, sub);
	pool.close();
	await untilDisconnected(urls, stats);
}

interface Connected {
	side: Side;
	pool: Pool;
	connectSeconds: number;
	memory: SideResult['memory'];
	version: number;
	samples: { t0: number; t1: number; firstAt: number; lastAt: number; busy: number; emittedAt: number | null; clientCpuUs: number }[];
}

async function connectSide(side: Side, o: RoundOptions, opened: Pool[]): Promise<Connected> {
	const before = await memoryAll(side.servers, side.stats);
	const tc = performance.now();
	const pool = await connectPool(
		side.servers.map((s) => s.url),
		o.n,
		o.sub,
		{ batch: 200, timeoutMs: 30_000 }
	);
	opened.push(pool);
	const connectSeconds = (performance.now() - tc) / 1000;
	await sleep(1000);
	const after = await memoryAll(side.servers, side.stats);
	const memory: SideResult['memory'] = {};
	side.servers.forEach((s, i) => {
		const conns = Math.max(1, after[i].clients - before[i].clients);
		memory[s.name] = {
			connections: after[i].clients,
			rssKiBPerConn: (after[i].rss - before[i].rss) / conns / KiB,
			heapKiBPerConn: (after[i].heapUsed - before[i].heapUsed) / conns / KiB,
			rssMiBAfter: after[i].rss / KiB / KiB
		};
	});
	return { side, pool, connectSeconds, memory, version: pool.maxVersion(), samples: [] };
}

/**
 * N clients on each side (connected one side after the other, memory read around each), then the
 * pushes of both sides interleaved — app, baseline, baseline, app, … — so that both see the same
 * background load on a shared machine, each push spaced `gapMs` after its last receipt.
 */
export async function runRound(sides: Side[], o: RoundOptions): Promise<RoundResult> {
	const opened: Pool[] = [];
	try {
		const connected: Connected[] = [];
		for (const side of sides) connected.push(await connectSide(side, o, opened));

		const waitMs = 10_000 + o.n * 4;
		const push = async (c: Connected, k: number) => {
			const target = c.version + 1;
			const armed = c.pool.arm(target);
			const cpu0 = process.cpuUsage();
			const t0 = performance.now();
			const emittedAt = await c.side.trigger(k, target);
			const t1 = performance.now();
			const { firstAt, lastAt, busy } = await armed.wait(waitMs);
			const cpu = process.cpuUsage(cpu0);
			c.version = Math.max(target, c.pool.maxVersion());
			await sleep(o.gapMs);
			return { t0, t1, firstAt, lastAt, busy, emittedAt, clientCpuUs: cpu.user + cpu.system };
		};
		const order = (k: number) => (k % 2 === 0 ? connected : [...connected].reverse());
		for (let k = 0; k < o.warmup; k++) for (const c of order(k)) await push(c, k);

		for (const c of connected) c.pool.resetCount();
		const cpu0 = await Promise.all(connected.map((c) => Promise.all(c.side.servers.map((s) => c.side.stats(s.url)))));
		const host0 = hostCpu();
		const w0 = performance.now();
		for (let k = 0; k < o.changes; k++) for (const c of order(k)) c.samples.push(await push(c, o.warmup + k));
		const windowSeconds = (performance.now() - w0) / 1000;
		const hostCpuPct = hostCpuPctBetween(host0, hostCpu());
		const cpu1 = await Promise.all(connected.map((c) => Promise.all(c.side.servers.map((s) => c.side.stats(s.url)))));

		const results = connected.map((c, j): SideResult => {
			const samples = c.samples;
			const received = c.pool.received();
			const inPush = samples.reduce((a, s) => a + (s.lastAt - s.t0), 0);
			const clientCpuUs = samples.reduce((a, s) => a + s.clientCpuUs, 0);
			const serverCpuMsPerPush: Record<string, number> = {};
			c.side.servers.forEach((s, i) => (serverCpuMsPerPush[s.name] = ((cpu1[j][i].cpuSeconds - cpu0[j][i].cpuSeconds) * 1000) / o.changes));
			const emits = samples.filter((s) => s.emittedAt !== null);
			return {
				label: c.side.label,
				n: o.n,
				changes: o.changes,
				connectSeconds: c.connectSeconds,
				latency: summarize(samples.map((s) => s.lastAt - s.t0)),
				afterResponse: summarize(samples.map((s) => s.lastAt - s.t1)),
				first: summarize(samples.map((s) => s.firstAt - s.t0)),
				spread: summarize(samples.map((s) => s.lastAt - s.firstAt)),
				emitToLast: emits.length ? summarize(emits.map((s) => s.lastAt - s.emittedAt!)) : null,
				received,
				expected: o.n * o.changes,
				msgsPerSec: received / ((inPush + (samples.length - 1) * o.gapMs) / 1000),
				msgsPerSecInPush: received / (inPush / 1000),
				memory: c.memory,
				serverCpuMsPerPush,
				clientCpuMsPerPush: clientCpuUs / 1000 / o.changes,
				clientCpuUsPerMessage: clientCpuUs / received,
				clientBusyInSpread: summarize(samples.map((s) => s.busy).filter((b) => Number.isFinite(b)))
			};
		});
		return { n: o.n, sides: results, hostCpuPct, windowSeconds, loadavgAfter: loadavg()[0] };
	} finally {
		for (const p of opened) p.close();
		for (const side of sides) await untilDisconnected(side.servers.map((s) => s.url), side.stats);
	}
}
