/**
 * The storm benchmark (`npm run bench:storm [-- --quick]`; issue 11; not part of `npm test`):
 * a city's worst morning on this machine, loopback only, bounded in count and time.
 *
 * Two app nodes (built server, Redis adapter, SMTP to one demo sink in its own process), Redis and
 * Postgres. Watching: 5,000 citizen sockets on `/public` (the months of the busiest times of three
 * locations), 100 staff screens on `/staff` (those days), one board per location on `/board`, dealt
 * over several client processes. Then 3,000 citizens do the real journey through HTTP (link,
 * link token, session, hold with verification, confirm) with 100 workers, 10 citizens on each of the
 * busiest times (each set to 8 free places), while a supervisor changes capacities. Afterwards, in
 * the same run: baselines (the booking's core SQL straight through pg; a plain authenticated GET;
 * a bare Socket.IO broadcast over the same Redis to as many sockets) and cost as the work grows
 * (booking at 10/50/200 clients; fan-out at 1,000/2,000/5,000/10,000 sockets).
 *
 * Env: STORM_SCALE (1; --quick = 0.1) scales sockets, citizens and fan-out sizes;
 * STORM_CLIENT_PROCS (4), STORM_FANOUT_PUSHES (30; quick 10), STORM_CONCURRENCY (100),
 * STORM_NODE_ARGS (extra flags for the app nodes, e.g. "--cpu-prof --cpu-prof-dir=prof").
 * Writes docs/bench/storm[-quick].{json,md,svg}.
 * `-- --only fanout [--sizes 1000,5000]` runs only the fan-out rounds (no storm, no booking levels)
 * and prints their table without writing docs/bench.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { appStats, bareStats, collectGarbage, hostCpu, hostCpuPct, sleep, startProcess, type Proc, type ProcStats } from './lib/procs.ts';
import { login, pickTarget, setCapacity } from './lib/app.ts';
import { Fleet, type Group } from './lib/fleet.ts';
import { send, closeAgents, noAnswer, resentOnClosedKeepAlive } from './lib/http.ts';
import { runJourneys, drive, STEPS, type Citizen, type Commit } from './lib/journey.ts';
import { fanoutRound, type FanoutRound } from './lib/fanout-rounds.ts';
import { cpuByName, cpuOfPid, pct } from './lib/sysload.ts';
import { pgBooking, type Slot } from './lib/storm-sql.ts';
import { fanoutTable, report, type StormResult } from './lib/storm-report.ts';

const QUICK = process.argv.includes('--quick');
const SCALE = Number(process.env.STORM_SCALE ?? (QUICK ? 0.1 : 1));
const WATCHERS = Math.round(5000 * SCALE);
const STAFF = Math.max(3, Math.round(100 * SCALE));
const CITIZENS = Math.round(3000 * SCALE);
const CONCURRENCY = Number(process.env.STORM_CONCURRENCY ?? 100);
const PER_TIME = 10;
const FREE_PER_TIME = 8;
const CLIENT_PROCS = Number(process.env.STORM_CLIENT_PROCS ?? 4);
const argValue = (name: string) => {
	const i = process.argv.indexOf(name);
	return i < 0 ? undefined : process.argv[i + 1];
};
/** `--only fanout`: only the fan-out rounds (app against bare), to iterate on the live path quickly. */
const ONLY = argValue('--only');
if (ONLY !== undefined && ONLY !== 'fanout') throw new Error(`--only ${ONLY}: only "fanout" is known`);
/** `--sizes 1000,5000`: the fan-out sizes as given (not scaled). */
const SIZES = argValue('--sizes')?.split(',').map(Number);
if (SIZES?.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--sizes takes socket counts, e.g. --sizes 1000,5000');
const FANOUT_NS = SIZES ?? [1000, 2000, 5000, 10000].map((n) => Math.round(n * SCALE));
const FANOUT_PUSHES = Number(process.env.STORM_FANOUT_PUSHES ?? (QUICK ? 10 : 30));
const LEVELS = [10, 50, 200];
const LEVEL_JOURNEYS = (c: number) => Math.max(2 * c, Math.round(1000 * SCALE));
const GET_COUNT = Math.max(500, Math.round(3000 * SCALE));
const PASSWORD = `bench-${randomBytes(6).toString('hex')}`;
const JWT_SECRET = randomBytes(32).toString('hex');
const NET = 1 + Math.floor(Math.random() * 250);

const started = performance.now();
const wall = () => performance.timeOrigin + performance.now();
const log = (m: string) => console.log(`[storm ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);
const logDir = mkdtempSync(join(tmpdir(), 'bench-storm-'));
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup() {
	while (cleanups.length) await cleanups.pop()!().catch((e) => console.error('cleanup step failed:', e));
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

const monthOf = (d: string) => d.slice(0, 7);
function monthBounds(month: string): [string, string] {
	const [y, m] = month.split('-').map(Number);
	const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
	return [`${month}-01`, `${month}-${String(last).padStart(2, '0')}`];
}

async function startSink(): Promise<{ child: ChildProcess; smtpUrl: string; count(): Promise<number>; arrivals(): Promise<[string, number][]> }> {
	const child = fork(new URL('./lib/sink.ts', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const smtpUrl = await new Promise<string>((resolve) => child.once('message', (m: { smtpUrl: string }) => resolve(m.smtpUrl)));
	return {
		child,
		smtpUrl,
		count: () => new Promise((r) => (child.once('message', (m: { count: number }) => r(m.count)), child.send('count'))),
		arrivals: () => new Promise((r) => (child.once('message', (m: { arrivals: [string, number][] }) => r(m.arrivals)), child.send('arrivals')))
	};
}

async function main() {
	const hw = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version, loadavg: loadavg().map((x) => +x.toFixed(2)) };
	log(`scale ${SCALE}: ${WATCHERS} citizen sockets, ${STAFF} staff screens, 3 boards, ${CITIZENS} citizens × ${CONCURRENCY} workers; ${CLIENT_PROCS} client processes; ${hw.cpus} × ${hw.model}`);
	const services = await ensureServices();
	cleanups.push(() => services.stop());
	if (!existsSync('build/handler.js')) {
		log('build/handler.js missing: npm run build');
		if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
	}
	const database = await createTestDatabase(services.databaseUrl, 'bench_storm');
	await database.db.close();
	cleanups.push(() => database.drop());
	const sink = await startSink();
	cleanups.push(async () => sink.child.kill('SIGTERM'));

	const env = {
		DATABASE_URL: database.url,
		REDIS_URL: services.redisUrl,
		REDIS_KEY: `bench-${database.name}`,
		JWT_SECRET,
		DEMO_PASSWORD: PASSWORD,
		NODE_ENV: 'production',
		LOG_LEVEL: 'warn',
		SMTP_URL: sink.smtpUrl,
		// every simulated citizen comes from 127.0.0.1: the per-address limits of /public (R-O04) would count them as one
		PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS: '100000',
		PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE: '1000000'
	};
	const nodeArgs = (process.env.STORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
	const start = async (name: string, script: string, extra: Record<string, string>, ready: string) => {
		const app = script === 'server/index.ts';
		const p = await startProcess(name, script, { ...env, ...extra }, { logDir, readyPath: ready, readyMs: 120_000, nodeArgs: app ? nodeArgs : [] });
		cleanups.push(() => p.stop());
		return p;
	};
	const a = await start('app-a', 'server/index.ts', { SEED_DEMO: 'true' }, '/readyz');
	const b = await start('app-b', 'server/index.ts', { SEED_DEMO: 'false' }, '/readyz');
	const nodes = [a, b];
	const urls = nodes.map((n) => n.url);
	log(`app nodes ${a.url} ${b.url}; mails go to the sink at ${sink.smtpUrl}`);

	const db = new pg.Pool({ connectionString: database.url, max: 4 });
	cleanups.push(() => db.end());
	const staffToken = await login(a.url, 'clerk', PASSWORD);
	const supervisor = await login(b.url, 'supervisor', PASSWORD);
	const admin = await login(a.url, 'admin', PASSWORD);

	// Locations, purposes and the busiest times: the earliest open times over the next 60 days.
	const locations = ((await send(`${a.url}/api/v1/locations`)).body as { locations: { id: number }[] }).locations.slice(0, 3).map((l) => l.id);
	const purposeOf = new Map<number, number>();
	const open: Slot[] = [];
	const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
	const to = new Date(Date.now() + (9 + 24 * 60) * 3600_000).toISOString().slice(0, 10);
	for (const loc of locations) {
		const p = (await send(`${a.url}/api/v1/locations/${loc}/purposes`)).body as { purposes: { id: number }[] };
		purposeOf.set(loc, p.purposes[0].id);
		const av = (await send(`${a.url}/api/v1/locations/${loc}/availability?from=${today}&to=${to}`)).body as { slots: { id: string; date: string; startsAt: string; level: string }[] };
		for (const s of av.slots) if (s.level !== 'closed' && s.level !== 'none') open.push({ id: s.id, locationId: loc, date: s.date, startsAt: s.startsAt });
	}
	open.sort((x, y) => x.startsAt.localeCompare(y.startsAt) || x.locationId - y.locationId);
	const stormSlotCount = Math.ceil(CITIZENS / PER_TIME);
	const levelSlotCounts = LEVELS.map((c) => Math.ceil(LEVEL_JOURNEYS(c) / PER_TIME));
	const need = stormSlotCount + levelSlotCounts.reduce((x, y) => x + y, 0);
	if (open.length < need) throw new Error(`only ${open.length} open times in 60 days, ${need} needed`);
	const stormSlots = open.slice(0, stormSlotCount);
	await db.query(`UPDATE slots SET capacity = booked + held + $2, capacity_manual = true, version = version + 1 WHERE id = ANY($1::bigint[])`, [open.slice(0, need).map((s) => s.id), FREE_PER_TIME]);
	const totalCards = CITIZENS + LEVELS.reduce((x, c) => x + LEVEL_JOURNEYS(c), 0);
	await db.query(
		`INSERT INTO card_records (notice_id, birth_date, name_kanji, name_kana, storage_location_id)
		 SELECT '7' || lpad(g::text, 11, '0'), date '1960-01-01' + (g % 20000), 'ベンチ 花子', 'ベンチ ハナコ', $2 FROM generate_series(1, $1) g`,
		[totalCards, locations[0]]
	);
	let cardNo = 0;
	const citizensFor = (slots: Slot[], n: number): Citizen[] =>
		Array.from({ length: n }, (_, i) => {
			const g = ++cardNo;
			const birth = new Date(Date.UTC(1960, 0, 1) + (g % 20000) * 86400_000).toISOString();
			const s = slots[Math.floor(i / PER_TIME)];
			return { email: `storm-${NET}-${g}@example.jp`, noticeId: `7${String(g).padStart(11, '0')}`, monthDay: birth.slice(5, 10), slotId: s.id, purposeId: purposeOf.get(s.locationId)!, node: i % 2 };
		});
	log(`${open.length} open times; storm on ${stormSlots.length} (${stormSlots[0].date} … ${stormSlots.at(-1)!.date}), ${totalCards} cards inserted`);

	// Watchers: citizens on the storm's months, staff on its days, one board per location.
	const boardTokens: Record<number, string> = {};
	for (const loc of locations) {
		const r = await send(`${a.url}/api/v1/staff/board-tokens`, { method: 'POST', token: admin, body: { locationId: loc, label: `ベンチ ${loc}` } });
		if (r.status !== 201) throw new Error(`board token: ${r.status} ${JSON.stringify(r.body)}`);
		boardTokens[loc] = (r.body as { token: string }).token;
	}
	const months = [...new Set(stormSlots.map((s) => `${s.locationId}|${monthOf(s.date)}`))];
	const days = [...new Set(stormSlots.map((s) => `${s.locationId}|${s.date}`))];
	const split = (total: number, parts: number, i: number) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);
	const groups: Group[] = [
		...months.map((k, i): Group => ({ kind: 'public', urls, count: split(WATCHERS, months.length, i), sub: { locationId: Number(k.split('|')[0]), month: k.split('|')[1] } })),
		...days.map((k, i): Group => ({ kind: 'staff', urls, count: split(STAFF, days.length, i), sub: { locationId: Number(k.split('|')[0]), date: k.split('|')[1] }, auth: { token: staffToken } })),
		...locations.map((loc): Group => ({ kind: 'board', urls, count: 1, sub: { locationId: loc }, auth: { boardToken: boardTokens[loc] } }))
	].filter((g) => g.count > 0);

	const fleet = new Fleet(CLIENT_PROCS);
	cleanups.push(() => fleet.stop());
	const memAll = async (procs: Proc[], stats: (u: string) => Promise<ProcStats>) => {
		await Promise.all(procs.map((p) => collectGarbage(p.inspectPort)));
		return Promise.all(procs.map((p) => stats(p.url)));
	};
	/** App against a bare Socket.IO broadcast over the same Redis to as many sockets, at each size. */
	const fanoutRounds = async () => {
		const target = await pickTarget(a.url, supervisor);
		const sub = { locationId: target.locationId, month: target.month };
		const monthVersion = async () => Number(((await send(`${a.url}/api/v1/locations/${sub.locationId}/availability?month=${sub.month}`)).body as { version: string }).version);
		const payload = (await send(`${a.url}/api/v1/locations/${sub.locationId}/availability?month=${sub.month}`)).body as { days: unknown; version: string };
		const template = { locationId: 999_999, month: sub.month, days: payload.days, version: payload.version };
		const bareEnv = { BENCH_PAYLOAD: JSON.stringify(template), REDIS_KEY: `bench-bare-${database.name}` };
		const bares = [await start('bare-a', 'tests/bench/lib/bare-server.ts', bareEnv, '/healthz'), await start('bare-b', 'tests/bench/lib/bare-server.ts', bareEnv, '/healthz')];
		const rounds: FanoutRound[] = [];
		for (const n of FANOUT_NS) {
			log(`fan-out N=${n}: ${n} sockets on the app and ${n} on the bare servers, ${FANOUT_PUSHES} pushes each, interleaved`);
			rounds.push(
				await fanoutRound(fleet, n, FANOUT_PUSHES, 120, [
					{ label: 'app', procs: nodes, stats: appStats, sub, version: monthVersion, trigger: (k) => setCapacity(urls[k % 2], supervisor, target.slotId, k % 2 === 0 ? 0 : target.capacity) },
					{
						label: 'bare',
						procs: bares,
						stats: bareStats,
						sub: { locationId: 999_999, month: sub.month },
						version: async () => Number(template.version),
						trigger: async (k, v) => {
							const r = await send(`${bares[k % 2].url}/emit?version=${v}`, { method: 'POST' });
							if (r.status !== 200) throw new Error(`bare emit ${r.status}`);
						}
					}
				])
			);
			log(`fan-out N=${n} done (load average ${loadavg()[0].toFixed(2)}):\n${fanoutTable(rounds.slice(-1)).join('\n')}`);
		}
		return rounds;
	};
	if (ONLY === 'fanout') {
		const rounds = await fanoutRounds();
		console.log(`\nFan-out only (${rounds[0]?.pushes} pushes per side and size), load average before ${hw.loadavg.join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
		console.log(fanoutTable(rounds).join('\n') + '\n');
		return;
	}
	const mem0 = await memAll(nodes, appStats);
	let t = performance.now();
	const connected = await fleet.connect(groups);
	const connectSeconds = (performance.now() - t) / 1000;
	await sleep(1000);
	const mem1 = await memAll(nodes, appStats);
	log(`${connected} sockets connected and subscribed in ${connectSeconds.toFixed(1)} s over ${CLIENT_PROCS} client processes`);

	// ---- the storm ----
	const commits: (Commit & { kind: 'confirm' | 'capacity'; slotV?: number; monthV?: number; loc?: number; date?: string })[] = [];
	const versionReads: Promise<void>[] = [];
	const readVersions = (c: (typeof commits)[number]) => {
		commits.push(c);
		versionReads.push(
			db
				.query<{ v: string; loc: number; date: string; mv: string }>(
					`SELECT s.version AS v, s.location_id AS loc, s.date::text AS date,
					        (SELECT sum(version) FROM slots m WHERE m.location_id = s.location_id AND m.date BETWEEN date_trunc('month', s.date)::date AND (date_trunc('month', s.date) + interval '1 month - 1 day')::date) AS mv
					   FROM slots s WHERE s.id = $1`,
					[c.slotId]
				)
				.then(({ rows: [r] }) => {
					c.slotV = Number(r.v);
					c.monthV = Number(r.mv);
					c.loc = r.loc;
					c.date = r.date;
				})
		);
	};
	const citizens = citizensFor(stormSlots, CITIZENS);
	const sup = { statuses: new Map<number, number>(), latencies: [] as number[] };
	let stormDone = false;
	let lastSlot = stormSlots[0].id;
	const supervisorLoop = (async () => {
		for (let k = 0; !stormDone; k++) {
			await sleep(500);
			const slot = lastSlot;
			const { rows: [s] } = await db.query<{ capacity: number }>(`SELECT capacity FROM slots WHERE id = $1`, [slot]);
			const t0 = performance.now();
			const r = await send(`${urls[k % 2]}/api/v1/staff/slots/${slot}`, { method: 'PATCH', token: supervisor, body: { capacity: s.capacity + (k % 2 ? -1 : 1), reason: 'ベンチマーク（嵐）' } });
			sup.latencies.push(performance.now() - t0);
			sup.statuses.set(r.status, (sup.statuses.get(r.status) ?? 0) + 1);
			if (r.status === 200) readVersions({ kind: 'capacity', slotId: slot, at: wall() });
		}
	})();
	const cpuNodes0 = await Promise.all(nodes.map((n) => appStats(n.url)));
	const sys0 = cpuByName(['postgres', 'redis-server']);
	const sink0 = cpuOfPid(sink.child.pid!);
	const host0 = hostCpu();
	const drv0 = process.cpuUsage();
	const driverElu0 = performance.eventLoopUtilization();
	await fleet.mark();
	log(`storm: ${CITIZENS} citizens, ${CONCURRENCY} at a time, ${PER_TIME} per time (${FREE_PER_TIME} places each); a supervisor changes a capacity every 0.5 s`);
	noAnswer.clear();
	resentOnClosedKeepAlive.count = 0;
	const storm = await runJourneys(citizens, CONCURRENCY, {
		urls,
		db,
		jwtSecret: JWT_SECRET,
		net: NET,
		onCommit: (c) => {
			lastSlot = c.slotId;
			readVersions({ ...c, kind: 'confirm' });
		}
	});
	stormDone = true;
	const stormNoAnswer = [...noAnswer];
	const stormResent = resentOnClosedKeepAlive.count;
	await supervisorLoop;
	const load = await fleet.load();
	const driverElu = performance.eventLoopUtilization(driverElu0).utilization;
	const drv = process.cpuUsage(drv0);
	const cpuNodes1 = await Promise.all(nodes.map((n) => appStats(n.url)));
	const sys1 = cpuByName(['postgres', 'redis-server']);
	const hostPct = hostCpuPct(host0, hostCpu());
	const sinkCpu = cpuOfPid(sink.child.pid!) - sink0;
	await Promise.all(versionReads);
	const lastCommit = Math.max(...commits.map((c) => c.at));
	log(`storm done in ${storm.seconds.toFixed(1)} s: ${storm.confirmed.length} bookings; checking the sockets`);

	// Every socket exact within 1 s of the last commit: final states from the API, then the sockets' logs.
	await sleep(Math.max(0, lastCommit + 3000 - wall()));
	const expected: Record<string, { version: number; shown: string }> = {};
	for (const k of months) {
		const [loc, month] = k.split('|');
		const [from, until] = monthBounds(month);
		const r = (await send(`${a.url}/api/v1/locations/${loc}/availability?from=${from}&to=${until}`)).body as { days: unknown; version: string };
		expected[`pub:${loc}:${month}`] = { version: Number(r.version), shown: JSON.stringify([r.days, r.version]) };
	}
	for (const k of days) {
		const [loc, date] = k.split('|');
		const r = (await send(`${a.url}/api/v1/staff/slots?locationId=${loc}&date=${date}`, { token: staffToken })).body as { slots: Record<string, unknown>[] };
		const slots = [...r.slots].sort((x, y) => Number(x.id) - Number(y.id));
		expected[`staff:${loc}:${date}`] = {
			version: slots.reduce((s, x) => s + Number(x.version), 0),
			shown: JSON.stringify(slots.map((s) => JSON.stringify(['id', 'capacity', 'booked', 'held', 'checkedIn', 'version'].map((key) => s[key]))))
		};
	}
	const finals = await fleet.final(expected);
	const queries: { room: string; slot?: string; v: number; commit: number; kind: 'public' | 'staff' }[] = [];
	commits.forEach((c, i) => {
		const pub = `pub:${c.loc}:${monthOf(c.date!)}`;
		const staff = `staff:${c.loc}:${c.date}`;
		if (expected[pub]) queries.push({ room: pub, v: c.monthV!, commit: i, kind: 'public' });
		if (expected[staff]) queries.push({ room: staff, slot: c.slotId, v: c.slotV!, commit: i, kind: 'staff' });
	});
	const at = await fleet.staleness(queries);
	const stale = { public: [] as number[], staff: [] as number[], all: new Map<number, number>(), never: 0 };
	queries.forEach((q, i) => {
		if (at[i] < 0) return void stale.never++;
		const d = Math.max(0, at[i] - commits[q.commit].at);
		stale[q.kind].push(d);
		stale.all.set(q.commit, Math.max(stale.all.get(q.commit) ?? 0, d));
	});

	const { rows: [check] } = await db.query<{ over: string; unpublished: string; lost: string; reservations: string; mails: string }>(
		`SELECT (SELECT count(*) FROM slots WHERE booked + held > capacity) AS over,
		        (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unpublished,
		        (SELECT count(*) FROM unnest($1::text[]) n WHERE NOT EXISTS (SELECT 1 FROM reservations r WHERE r.booking_number = n AND r.status = 'active')) AS lost,
		        (SELECT count(*) FROM reservations WHERE source = 'citizen' AND status = 'active') AS reservations,
		        (SELECT count(*) FROM outbox WHERE topic = 'citizen.link' AND published_at IS NOT NULL) AS mails`,
		[storm.confirmed.map((c) => c.reservationNumber!)]
	);
	await fleet.closeSockets();
	const mailsAtCheck = await sink.count();

	// The storm's mails: the nodes go on sending the outbox after the last commit. How long until every
	// citizen has their mails is a figure of its own; the rounds below wait for it, so that they measure
	// pushes and not mail rendering (bounded: 10 minutes).
	let mailsDoneAfterMs: number | null = null;
	for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(500)) {
		const { rows: [o] } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM outbox WHERE published_at IS NULL AND failed_at IS NULL`);
		if (Number(o.n) === 0) {
			mailsDoneAfterMs = wall() - lastCommit;
			break;
		}
	}
	const mailsTotal = await sink.count();
	// Each mail's wait: from its outbox row's commit (the link request, the confirm) to the sink.
	const arrivals = await sink.arrivals();
	const { rows: outboxRows } = await db.query<{ id: string; topic: string; at: number }>(
		`SELECT id::text AS id, topic, extract(epoch FROM created_at)::float8 * 1000 AS at FROM outbox WHERE id = ANY($1::bigint[])`,
		[arrivals.map(([id]) => id)]
	);
	const committed = new Map(outboxRows.map((r) => [r.id, r]));
	const mailWait = { link: [] as number[], booking: [] as number[] };
	for (const [id, at] of arrivals) {
		const row = committed.get(id);
		if (row) mailWait[row.topic === 'citizen.link' ? 'link' : 'booking'].push(Math.max(0, at - row.at));
	}
	log(mailsDoneAfterMs === null ? 'the outbox was not empty after 10 minutes' : `every mail of the storm (${mailsTotal}) at the sink ${(mailsDoneAfterMs / 1000).toFixed(1)} s after the last commit`);

	// ---- fan-out as the sockets grow, app against a bare Socket.IO broadcast ----
	const rounds = await fanoutRounds();

	// ---- booking as the clients grow, with its baselines at each level ----
	let offset = stormSlotCount;
	const levels = [];
	const [hotLoc, hotDate] = days[0].split('|');
	for (const [i, c] of LEVELS.entries()) {
		const slots = open.slice(offset, offset + levelSlotCounts[i]);
		offset += levelSlotCounts[i];
		log(`booking at ${c} clients: ${LEVEL_JOURNEYS(c)} journeys; the same count of plain GETs; the booking SQL through pg`);
		noAnswer.clear();
		resentOnClosedKeepAlive.count = 0;
		const run = await runJourneys(citizensFor(slots, LEVEL_JOURNEYS(c)), c, { urls, db, jwtSecret: JWT_SECRET, net: NET + 1, split: true });
		const bookingNoAnswer = [...noAnswer];
		const resent = resentOnClosedKeepAlive.count;
		const get = await drive(GET_COUNT, c, async (k) => (await send(`${urls[k % 2]}/api/v1/staff/slots?locationId=${hotLoc}&date=${hotDate}`, { token: staffToken })).status);
		const sql = await pgBooking(database.url, LEVEL_JOURNEYS(c), c, PER_TIME, FREE_PER_TIME, `l${c}`);
		levels.push({ clients: c, run, get, sql, noAnswer: bookingNoAnswer, resent });
	}
	log('baselines at the storm concurrency');
	const getStorm = await drive(GET_COUNT, CONCURRENCY, async (k) => (await send(`${urls[k % 2]}/api/v1/staff/slots?locationId=${hotLoc}&date=${hotDate}`, { token: staffToken })).status);
	const sqlStorm = await pgBooking(database.url, CITIZENS, CONCURRENCY, PER_TIME, FREE_PER_TIME, 'storm');
	const { rows: [check2] } = await db.query<{ over: string }>(`SELECT count(*) AS over FROM slots WHERE booked + held > capacity`);

	const result: StormResult = {
		command: `npm run bench:storm${QUICK ? ' -- --quick' : ''}${process.env.STORM_SCALE ? ` (STORM_SCALE=${SCALE})` : ''}`,
		hw,
		scale: SCALE,
		sizes: { watchers: WATCHERS, staff: STAFF, boards: locations.length, citizens: CITIZENS, concurrency: CONCURRENCY, perTime: PER_TIME, freePerTime: FREE_PER_TIME, clientProcs: CLIENT_PROCS, connected, connectSeconds },
		storm: {
			seconds: storm.seconds,
			bookings: storm.confirmed.length,
			steps: Object.fromEntries(STEPS.map((s) => [s, { ...pct(storm.latencies[s]), statuses: [...storm.statuses[s]] }])),
			supervisor: { ...pct(sup.latencies), statuses: [...sup.statuses] },
			noAnswer: stormNoAnswer,
			resent: stormResent,
			overCapacity: Number(check.over),
			overCapacityAtEnd: Number(check2.over),
			lost: Number(check.lost),
			reservations: Number(check.reservations),
			mailsSent: Number(check.mails),
			outboxUnpublished: Number(check.unpublished),
			mailsAtSink: mailsAtCheck,
			mailsTotal,
			mailsDoneAfterMs,
			mailWait: { link: pct(mailWait.link), booking: pct(mailWait.booking) },
			commits: commits.length,
			staleness: { all: pct([...stale.all.values()]), public: pct(stale.public), staff: pct(stale.staff), never: stale.never },
			finals: Object.entries(finals).map(([room, x]) => ({ room, ...x, reachedAfterMs: x.reachedAt < 0 ? null : x.reachedAt - lastCommit })),
			memory: nodes.map((n, i) => ({ node: n.name, sockets: mem1[i].clients, rssKiBPerSocket: (mem1[i].rss - mem0[i].rss) / 1024 / Math.max(1, mem1[i].clients - mem0[i].clients), heapKiBPerSocket: (mem1[i].heapUsed - mem0[i].heapUsed) / 1024 / Math.max(1, mem1[i].clients - mem0[i].clients) })),
			cpu: {
				seconds: storm.seconds,
				nodes: nodes.map((n, i) => ({ name: n.name, cpuSeconds: cpuNodes1[i].cpuSeconds - cpuNodes0[i].cpuSeconds })),
				postgres: sys1.postgres - sys0.postgres,
				redis: sys1['redis-server'] - sys0['redis-server'],
				sink: sinkCpu,
				driver: (drv.user + drv.system) / 1e6,
				driverElu,
				clients: load,
				hostPct,
				loadavgAfter: loadavg()[0]
			}
		},
		baselines: { get: { ...summ(getStorm) }, sql: { perSecond: sqlStorm.perSecond, ...pct(sqlStorm.latencies) } },
		levels: levels.map((l) => ({
			clients: l.clients,
			journeys: LEVEL_JOURNEYS(l.clients),
			bookings: l.run.confirmed.length,
			// the booking alone (hold + confirm), as the pg baseline; sign-ins ran before it
			bookingsPerSecond: l.run.confirmed.length / (l.run.bookingSeconds ?? l.run.seconds),
			// every hold and confirm request, answered or not: the unit of bench:booking (one POST per booking)
			requestsPerSecond: (l.run.latencies.hold.length + l.run.latencies.confirm.length) / (l.run.bookingSeconds ?? l.run.seconds),
			noAnswer: l.noAnswer,
			resent: l.resent,
			signinsPerSecond: (l.run.statuses.session.get(201) ?? 0) / (l.run.signinSeconds ?? NaN),
			hold: pct(l.run.latencies.hold),
			confirm: pct(l.run.latencies.confirm),
			session: pct(l.run.latencies.session),
			statuses: Object.fromEntries(STEPS.map((s) => [s, [...l.run.statuses[s]]])),
			getPerSecond: l.get.perSecond,
			getP99: pct(l.get.latencies).p99,
			sqlPerSecond: l.sql.perSecond,
			sqlP99: pct(l.sql.latencies).p99
		})),
		fanout: rounds
	};
	report(result, QUICK || SCALE !== 1 ? 'storm-quick' : 'storm');
	const problems: string[] = [];
	if (result.storm.overCapacity || result.storm.overCapacityAtEnd) problems.push('places over capacity');
	if (result.storm.lost) problems.push(`${result.storm.lost} bookings lost`);
	if (problems.length) {
		console.error(`FAILED: ${problems.join('; ')}`);
		process.exitCode = 1;
	}
}

function summ(r: { perSecond: number; latencies: number[]; statuses: Map<number, number> }) {
	return { perSecond: r.perSecond, ...pct(r.latencies), statuses: [...r.statuses] };
}

let failed = false;
try {
	await main();
} catch (e) {
	failed = true;
	console.error('\nstorm benchmark failed:', e);
	console.error(`logs kept in ${logDir}`);
} finally {
	closeAgents();
	await cleanup();
}
if (!failed) rmSync(logDir, { recursive: true, force: true });
process.exit(failed ? 1 : (process.exitCode ?? 0));
