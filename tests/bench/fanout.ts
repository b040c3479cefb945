/**
 * Fan-out benchmark (`npm run bench:fanout -- [N…]`, default 1000 5000; not part of `npm test`).
 *
 * N socket.io-client connections (websocket transport), split over two app nodes joined by Redis,
 * subscribed to one location's month on `/public`. 100 capacity changes go through the HTTP API
 * (PATCH /api/v1/staff/slots/{id}, alternating nodes); each is timed from the request to the last
 * client holding the new month version. In the same run, two bare Socket.IO servers joined by the
 * Redis adapter push a payload of the same shape to another N clients: the baseline, and the ratio
 * app/baseline. Both sets of clients stay connected and the pushes of the two sides alternate, so a
 * busy shared machine slows both alike. Memory per connection is read from each server (after a
 * forced GC) before and after its clients connect.
 * Prints a table per N and one JSON line (`FANOUT_RESULT {...}`).
 *
 * Env: FANOUT_CHANGES (100), FANOUT_WARMUP (3), FANOUT_GAP_MS (REALTIME_COALESCE_MS default 100 + 20),
 * FANOUT_KEEP_LOGS=1 keeps the servers' logs (kept anyway on failure).
 * Servers run with --inspect on 127.0.0.1, used only to force a full GC before each memory reading.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { appStats, bareStats, sleep, startProcess, type Proc } from './lib/procs.ts';
import { login, pickTarget, setCapacity } from './lib/app.ts';
import { connectPool } from './lib/clients.ts';
import { runRound, warmUpConnections, type RoundResult, type Server, type Side } from './lib/phase.ts';
import { table } from './lib/report.ts';

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const NS = sizes.length ? sizes : [1000, 5000];
const CHANGES = Number(process.env.FANOUT_CHANGES ?? 100);
const WARMUP = Number(process.env.FANOUT_WARMUP ?? 3);
const GAP_MS = Number(process.env.FANOUT_GAP_MS ?? 120);
const DEMO_PASSWORD = `bench-${randomBytes(6).toString('hex')}`;
const JWT_SECRET = randomBytes(32).toString('hex');

const started = performance.now();
const logDir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
const cleanups: (() => Promise<unknown>)[] = [];
const log = (msg: string) => console.log(`[fanout ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}`);

async function cleanup() {
	while (cleanups.length) await cleanups.pop()!().catch((e) => console.error('cleanup step failed:', e));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.once(sig, () => {
		console.error(`\n${sig}: cleaning up (logs kept in ${logDir})`);
		void cleanup().finally(() => process.exit(130));
	});
}

/** Other engineers edit the app while benchmarks run: a start that fails is retried after a minute. */
async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 3): Promise<T> {
	for (let i = 1; ; i++) {
		try {
			return await fn();
		} catch (e) {
			if (i >= attempts) throw e;
			log(`${what} failed (attempt ${i}/${attempts}), retrying in 60 s: ${(e as Error).message.split('\n').slice(0, 8).join('\n')}`);
			await sleep(60_000);
		}
	}
}

function hardware() {
	const c = cpus();
	const sio = JSON.parse(readFileSync('node_modules/socket.io/package.json', 'utf8')).version;
	return { cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', memGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, kernel: release(), socketIo: sio, loadavg: loadavg().map((x) => +x.toFixed(2)) };
}

async function main() {
	const hw = hardware();
	console.log(`hardware: ${hw.cpus} × ${hw.cpuModel}, ${hw.memGiB} GiB, Linux ${hw.kernel}; node ${hw.node}; socket.io ${hw.socketIo}; load ${hw.loadavg.join(' ')}`);
	console.log(`sizes ${NS.join(', ')}; ${CHANGES} changes (+${WARMUP} warm-up) per side; ${GAP_MS} ms between a push's last receipt and the next change; logs in ${logDir}`);

	const services = await ensureServices();
	cleanups.push(() => services.stop());
	for (const n of services.notes) log(n);
	if (!existsSync('build/handler.js')) {
		log('build/handler.js missing: npm run build');
		const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
		if (r.status !== 0) throw new Error('npm run build failed');
	}
	const database = await retrying('create database', () => createTestDatabase(services.databaseUrl, 'bench_fanout'));
	cleanups.push(() => database.drop());
	await database.db.close();

	const env = {
		DATABASE_URL: database.url,
		REDIS_URL: services.redisUrl,
		REDIS_KEY: `bench-${database.name}`,
		JWT_SECRET,
		DEMO_PASSWORD,
		NODE_ENV: 'production',
		LOG_LEVEL: 'info',
		// every simulated citizen comes from 127.0.0.1: the per-address limits of /public (R-O04) would count them as one
		PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS: '100000',
		PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE: '1000000'
	};
	const start = (name: string, script: string, extra: Record<string, string>, readyPath: string) =>
		retrying(`start ${name}`, async () => {
			const p = await startProcess(name, script, { ...env, ...extra }, { logDir, readyPath });
			cleanups.push(() => p.stop());
			return p;
		});
	const a = await start('app-a', 'server/index.ts', { SEED_DEMO: 'true' }, '/readyz');
	const b = await start('app-b', 'server/index.ts', { SEED_DEMO: 'false' }, '/readyz');
	log(`app nodes ${a.url} and ${b.url}`);

	const token = await login(a.url, 'supervisor', DEMO_PASSWORD);
	const target = await pickTarget(a.url, token);
	const sub = { locationId: target.locationId, month: target.month };
	log(`location ${target.locationId}, month ${target.month}, slot ${target.slotId} on ${target.date} (capacity ${target.capacity})`);

	// The baseline pushes exactly what the app pushes (same shape and size), with its own versions.
	const probe = await connectPool([a.url], 1, sub);
	const payload = probe.firstAck;
	probe.close();
	const payloadBytes = Buffer.byteLength(JSON.stringify(payload));
	const bareEnv = { BENCH_PAYLOAD: JSON.stringify(payload), REDIS_KEY: `bench-bare-${database.name}` };
	const script = 'tests/bench/lib/bare-server.ts';
	const ba = await start('bare-a', script, bareEnv, '/healthz');
	const bb = await start('bare-b', script, bareEnv, '/healthz');
	log(`baseline servers ${ba.url} and ${bb.url}; payload ${payloadBytes} bytes of JSON`);

	const apps: Proc[] = [a, b];
	const bares: Proc[] = [ba, bb];
	const servers = (procs: Proc[], prefix: string): Server[] => procs.map((p, i) => ({ name: `${prefix} ${'ab'[i]}`, url: p.url, inspectPort: p.inspectPort }));
	log('warm-up: 200 clients connect, subscribe and leave, on the app and on the baseline');
	await warmUpConnections(servers(apps, 'node'), 200, sub, appStats);
	await warmUpConnections(servers(bares, 'bare'), 200, sub, bareStats);
	const appSide: Side = {
		label: 'app',
		servers: servers(apps, 'node'),
		stats: appStats,
		async trigger(k) {
			// Alternate the slot between closed and its capacity: every change bumps the month version.
			await setCapacity(apps[k % 2].url, token, target.slotId, k % 2 === 0 ? 0 : target.capacity);
			return null;
		}
	};
	const baseSide: Side = {
		label: 'baseline',
		servers: servers(bares, 'bare'),
		stats: bareStats,
		async trigger(k, version) {
			const r = await fetch(`${bares[k % 2].url}/emit?version=${version}`, { method: 'POST', signal: AbortSignal.timeout(15_000) });
			if (!r.ok) throw new Error(`baseline emit answered ${r.status}`);
			const { emittedAt } = (await r.json()) as { emittedAt: number };
			return emittedAt - performance.timeOrigin;
		}
	};
	const results: RoundResult[] = [];
	for (const n of NS) {
		log(`N=${n}: connecting ${n} clients to the app, then ${n} to the baseline; ${CHANGES} pushes each, interleaved`);
		const round = await runRound([appSide, baseSide], { n, sub, changes: CHANGES, warmup: WARMUP, gapMs: GAP_MS });
		results.push(round);
		const context = `\n== N = ${n} (half on each node), ${CHANGES} pushes per side (+${WARMUP} warm-up), location ${target.locationId} month ${target.month}, payload ${payloadBytes} B`;
		console.log(table(round, context));
	}

	const seconds = (performance.now() - started) / 1000;
	console.log(
		'\nrequest sent → last client: the app path is PATCH → transaction commit → coalescer → month query → emit → Redis → both nodes → clients;' +
			'\nthe baseline path is POST /emit → emit → Redis → both nodes → clients. Both run the same client code in this one process.' +
			'\nmessages/s = pushes received by all clients / (first request → last receipt) of that side, gaps of ' + GAP_MS + ' ms between pushes included;' +
			'\n"while a push is in flight" leaves the gaps out. The two sides\' pushes alternate (app, baseline, baseline, app, …).' +
			'\nmemory per connection = (after − before) / connections on that node, each read after a full GC forced through the inspector.'
	);
	console.log(`\ntotal run time ${seconds.toFixed(0)} s`);
	console.log(
		'FANOUT_RESULT ' +
			JSON.stringify({
				hardware: hw,
				changes: CHANGES,
				warmup: WARMUP,
				gapMs: GAP_MS,
				payloadBytes,
				target,
				seconds: +seconds.toFixed(1),
				results: results.map((r) => {
					const [app, baseline] = r.sides;
					const ratio = {
						p50: app.latency.p50 / baseline.latency.p50,
						p99: app.latency.p99 / baseline.latency.p99,
						msgsPerSec: app.msgsPerSec / baseline.msgsPerSec,
						msgsPerSecInPush: app.msgsPerSecInPush / baseline.msgsPerSecInPush
					};
					return { n: r.n, hostCpuPct: r.hostCpuPct, windowSeconds: r.windowSeconds, loadavgAfter: r.loadavgAfter, app, baseline, ratio };
				})
			})
	);
}

let code = 0;
try {
	await main();
} catch (e) {
	code = 1;
	console.error('\nfan-out benchmark failed:', e);
	console.error(`logs kept in ${logDir}`);
} finally {
	await cleanup();
}
if (code === 0 && !process.env.FANOUT_KEEP_LOGS) rmSync(logDir, { recursive: true, force: true });
process.exit(code);
