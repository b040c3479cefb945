/**
 * Fan-out cost as the sockets grow, for the storm benchmark: at each N, N sockets on the app's two
 * nodes and N on two bare Socket.IO servers (same Redis, same payload) — both held by the client
 * processes of the Fleet — then pushes of the two sides interleaved (app, bare, bare, app, …),
 * each timed from the request to the last socket showing the new version.
 */
import { performance } from 'node:perf_hooks';
import type { Fleet } from './fleet.ts';
import { collectGarbage, sleep, type Proc, type ProcStats } from './procs.ts';
import { pct, type Pct } from './sysload.ts';

export interface SideSpec {
	label: string;
	procs: Proc[];
	stats(url: string): Promise<ProcStats>;
	sub: { locationId: number; month: string };
	/** current version the sockets will show after connecting */
	version(): Promise<number>;
	/** causes push k carrying version `target` */
	trigger(k: number, target: number): Promise<void>;
}

export interface SideFigures {
	latency: Pct;
	missing: number;
	rssKiBPerSocket: number[];
	heapKiBPerSocket: number[];
	cpuMsPerPush: number[];
}

export interface FanoutRound {
	n: number;
	pushes: number;
	app: SideFigures;
	bare: SideFigures;
	clientElu: number[];
	connectSeconds: number;
}

const wall = () => performance.timeOrigin + performance.now();

async function memory(procs: Proc[], stats: (url: string) => Promise<ProcStats>) {
	await Promise.all(procs.map((p) => collectGarbage(p.inspectPort)));
	return Promise.all(procs.map((p) => stats(p.url)));
}

export async function fanoutRound(fleet: Fleet, n: number, pushes: number, gapMs: number, sides: [SideSpec, SideSpec]): Promise<FanoutRound> {
	const before = await Promise.all(sides.map((s) => memory(s.procs, s.stats)));
	const t = performance.now();
	await fleet.connect(sides.map((s) => ({ kind: 'public' as const, urls: s.procs.map((p) => p.url), count: n, sub: s.sub })));
	const connectSeconds = (performance.now() - t) / 1000;
	await sleep(1000);
	const after = await Promise.all(sides.map((s) => memory(s.procs, s.stats)));
	const versions = await Promise.all(sides.map((s) => s.version()));
	const samples: number[][] = [[], []];
	const missing = [0, 0];
	const push = async (j: number, k: number, measure: boolean) => {
		const s = sides[j];
		const target = versions[j] + 1;
		const { arrived } = await fleet.arm(`pub:${s.sub.locationId}:${s.sub.month}`, target, 10_000 + n * 2);
		const t0 = wall();
		await s.trigger(k, target);
		const r = await arrived;
		versions[j] = target;
		if (measure) {
			if (r.missing) missing[j] += r.missing;
			else samples[j].push(r.lastAt - t0);
		}
		await sleep(gapMs);
	};
	for (let k = 0; k < 3; k++) for (const j of k % 2 ? [1, 0] : [0, 1]) await push(j, k, false);
	await fleet.mark();
	const cpu0 = await Promise.all(sides.map((s) => Promise.all(s.procs.map((p) => s.stats(p.url)))));
	for (let k = 0; k < pushes; k++) for (const j of k % 2 ? [1, 0] : [0, 1]) await push(j, k + 3, true);
	const cpu1 = await Promise.all(sides.map((s) => Promise.all(s.procs.map((p) => s.stats(p.url)))));
	const load = await fleet.load();
	await fleet.closeSockets();
	for (let i = 0; i < 40; i++) {
		const c = await Promise.all(sides.flatMap((s) => s.procs.map((p) => s.stats(p.url))));
		if (c.every((x) => x.clients === 0)) break;
		await sleep(250);
	}
	const fig = (j: number): SideFigures => ({
		latency: pct(samples[j]),
		missing: missing[j],
		rssKiBPerSocket: after[j].map((a, i) => (a.rss - before[j][i].rss) / Math.max(1, a.clients - before[j][i].clients) / 1024),
		heapKiBPerSocket: after[j].map((a, i) => (a.heapUsed - before[j][i].heapUsed) / Math.max(1, a.clients - before[j][i].clients) / 1024),
		cpuMsPerPush: cpu1[j].map((c, i) => ((c.cpuSeconds - cpu0[j][i].cpuSeconds) * 1000) / pushes)
	});
	return { n, pushes, app: fig(0), bare: fig(1), clientElu: load.map((l) => l.elu), connectSeconds };
}
