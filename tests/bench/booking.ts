/**
 * Booking benchmark (`npm run bench:booking`; not part of `npm test`).
 *
 * Two app nodes (built server, Redis adapter) on a fresh database of the local Postgres book
 * against a few hot slots through the real endpoint, POST /api/v1/staff/reservations, with 50
 * concurrent clients and a bounded number of attempts (more than the hot slots hold, so the
 * refusal path runs too). In the same run, Postgres's own ceiling for the same contention: a
 * plain single-row conditional UPDATE transaction via `pg` on as many hot rows, as many
 * attempts, the same concurrency and as many connections as the two nodes' pools. Prints
 * bookings/s, p50/p99 latency, the ratio to the ceiling, and checks that no slot exceeds its
 * capacity and that every success is one reservation. For context it also times a plain
 * authenticated GET through the same nodes (HTTP, session check, one query). Only 127.0.0.1 is contacted.
 *
 * Env: BENCH_ATTEMPTS (2000), BENCH_CLIENTS (50), BENCH_HOT_SLOTS (10), BENCH_CAPACITY (150 per slot),
 * BENCH_POOL (10 per node), BENCH_NODE_ARGS (extra node flags for the app nodes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { freePort } from '../../server/dev/embedded-postgres.ts';

const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const HOT = Number(process.env.BENCH_HOT_SLOTS ?? 10);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 150);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const NODES = 2;
const PASSWORD = `bench-${randomBytes(6).toString('hex')}`;
const started = performance.now();
const log = (m: string) => console.log(`[booking ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);

interface Run {
	ok: number;
	full: number;
	other: Map<number, number>;
	seconds: number;
	latencies: number[];
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `attempts` jobs run by `clients` concurrent workers; each job returns its HTTP-like status. */
async function drive(attempts: number, clients: number, job: (i: number) => Promise<number>): Promise<Run> {
	let next = 0;
	const run: Run = { ok: 0, full: 0, other: new Map(), seconds: 0, latencies: [] };
	const t0 = performance.now();
	await Promise.all(
		Array.from({ length: clients }, async () => {
			for (let i = next++; i < attempts; i = next++) {
				const s = performance.now();
				const status = await job(i);
				run.latencies.push(performance.now() - s);
				if (status === 201 || status === 200) run.ok++;
				else if (status === 409) run.full++;
				else run.other.set(status, (run.other.get(status) ?? 0) + 1);
			}
		})
	);
	run.seconds = (performance.now() - t0) / 1000;
	run.latencies.sort((a, b) => a - b);
	return run;
}

async function startNode(name: string, env: Record<string, string>, logDir: string): Promise<{ url: string; child: ChildProcess }> {
	const port = await freePort();
	const out = openSync(join(logDir, `${name}.log`), 'a');
	const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
	const child = spawn(process.execPath, [...extra, 'server/index.ts'], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', out, out] });
	const url = `http://127.0.0.1:${port}`;
	for (let i = 0; i < 600 && child.exitCode === null; i++) {
		if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, child };
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`node ${name} did not start:\n${readFileSync(join(logDir, `${name}.log`), 'utf8').slice(-2000)}`);
}

async function main() {
	const cleanups: (() => Promise<unknown>)[] = [];
	const logDir = mkdtempSync(join(tmpdir(), 'bench-booking-'));
	try {
		if (!existsSync('build/handler.js')) {
			log('building the app (npm run build)…');
			if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
		}
		const services = await ensureServices();
		cleanups.push(() => services.stop());
		services.notes.forEach((n) => log(n));
		const database = await createTestDatabase(services.databaseUrl, 'bench_booking');
		await database.db.close();
		cleanups.push(() => database.drop());
		const env = {
			DATABASE_URL: database.url,
			REDIS_URL: services.redisUrl,
			REDIS_KEY: `bench-${database.name}`,
			JWT_SECRET: randomBytes(32).toString('hex'),
			DEMO_PASSWORD: PASSWORD,
			NODE_ENV: 'production',
			LOG_LEVEL: 'warn',
			DB_POOL_MAX: String(POOL)
		};
		const nodes: { url: string; child: ChildProcess }[] = [];
		for (let i = 0; i < NODES; i++) {
			const n = await startNode(`node-${i}`, { ...env, SEED_DEMO: i === 0 ? 'true' : 'false' }, logDir);
			nodes.push(n);
			cleanups.unshift(async () => {
				n.child.kill('SIGTERM');
				await new Promise((r) => (n.child.exitCode !== null ? r(null) : n.child.once('exit', r)));
			});
		}
		log(`${NODES} app nodes up (pool ${POOL} each), demo city seeded`);

		const db = new pg.Pool({ connectionString: database.url, max: NODES * POOL });
		cleanups.unshift(() => db.end());
		// Cards for every attempt (one active booking per card, R-C12) and hot slots of a day in the staff window.
		await db.query(
			`INSERT INTO card_records (notice_id, birth_date, name_kanji, name_kana, storage_location_id)
			 SELECT '8' || lpad(g::text, 9, '0'), '1970-01-01', 'ベンチ 太郎', 'ベンチ タロウ', 1 FROM generate_series(1, $1) g`,
			[ATTEMPTS]
		);
		const { rows: hot } = await db.query<{ id: string }>(
			`WITH day AS (SELECT min(date) AS d FROM slots WHERE location_id = 1 AND starts_at > now() + interval '1 day')
			 SELECT id FROM slots WHERE location_id = 1 AND date = (SELECT d FROM day) ORDER BY starts_at LIMIT $1`,
			[HOT]
		);
		if (hot.length < HOT) throw new Error('not enough demo slots');
		await db.query(`UPDATE slots SET capacity = $2, capacity_manual = true WHERE id = ANY($1::bigint[])`, [hot.map((h) => h.id), CAPACITY]);

		const login = await fetch(`${nodes[0].url}/api/v1/staff/session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ userId: 'clerk', password: PASSWORD })
		});
		const { token } = (await login.json()) as { token: string };
		const book = async (i: number) => {
			const r = await fetch(`${nodes[i % NODES].url}/api/v1/staff/reservations`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({ slotId: hot[i % HOT].id, persons: [{ noticeId: `8${String(i + 1).padStart(9, '0')}`, birthDate: '1970-01-01' }] })
			});
			await r.arrayBuffer();
			return r.status;
		};
		// Warm-up that leaves the hot slots empty: authenticated reads on both nodes.
		for (let i = 0; i < 20; i++) await fetch(`${nodes[i % NODES].url}/api/v1/staff/slots?locationId=1&date=2099-01-01`, { headers: { authorization: `Bearer ${token}` } });

		log(`booking: ${ATTEMPTS} attempts, ${CLIENTS} clients, ${HOT} hot slots × capacity ${CAPACITY} = ${HOT * CAPACITY} places`);
		const app = await drive(ATTEMPTS, CLIENTS, book);

		log('ceiling: plain conditional UPDATE transactions via pg on as many hot rows');
		await db.query(`CREATE TABLE bench_ceiling (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, cap int NOT NULL)`);
		await db.query(`INSERT INTO bench_ceiling (id, cap) SELECT g, $1 FROM generate_series(1, $2) g`, [CAPACITY, HOT]);
		const ceiling = await drive(ATTEMPTS, CLIENTS, async (i) => {
			const c = await db.connect();
			try {
				await c.query('BEGIN');
				const r = await c.query(`UPDATE bench_ceiling SET n = n + 1 WHERE id = $1 AND n + 1 <= cap`, [(i % HOT) + 1]);
				await c.query('COMMIT');
				return r.rowCount === 1 ? 201 : 409;
			} catch (e) {
				await c.query('ROLLBACK').catch(() => {});
				throw e;
			} finally {
				c.release();
			}
		});

		// For context: the same endpoint stack (HTTP, session check, one query) without a booking.
		log('http floor: authenticated GET /api/v1/staff/slots through the same nodes');
		const { rows: [hotDay] } = await db.query<{ date: string }>(`SELECT date::text AS date FROM slots WHERE id = $1`, [hot[0].id]);
		const floor = await drive(ATTEMPTS, CLIENTS, async (i) => {
			const r = await fetch(`${nodes[i % NODES].url}/api/v1/staff/slots?locationId=1&date=${hotDay.date}`, { headers: { authorization: `Bearer ${token}` } });
			await r.arrayBuffer();
			return r.status === 200 ? 201 : r.status;
		});

		const { rows: [check] } = await db.query<{ over: string; booked: string; reservations: string; persons: string }>(
			`SELECT (SELECT count(*) FROM slots WHERE booked + held > capacity) AS over,
			        (SELECT coalesce(sum(booked), 0) FROM slots WHERE id = ANY($1::bigint[])) AS booked,
			        (SELECT count(*) FROM reservations WHERE status = 'active') AS reservations,
			        (SELECT count(*) FROM reservation_persons WHERE active) AS persons`,
			[hot.map((h) => h.id)]
		);
		const expectedOk = Math.min(ATTEMPTS, HOT * CAPACITY);
		const appRate = app.ok / app.seconds;
		const ceilRate = ceiling.ok / ceiling.seconds;
		const ms = (x: number) => `${x.toFixed(1)} ms`;
		console.log('');
		console.log(`  machine: ${cpus().length} CPU × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ${NODES} nodes × pool ${POOL}; ${CLIENTS} clients`);
		console.log(`  ${'run'.padEnd(34)}${'ok'.padStart(6)}${'full'.padStart(6)}${'per s'.padStart(10)}${'p50'.padStart(11)}${'p99'.padStart(11)}`);
		for (const [name, r] of [
			['app: POST /api/v1/staff/reservations', app],
			['ceiling: pg conditional UPDATE tx', ceiling],
			['context: GET /api/v1/staff/slots', floor]
		] as const) {
			console.log(`  ${name.padEnd(34)}${String(r.ok).padStart(6)}${String(r.full).padStart(6)}${(r.ok / r.seconds).toFixed(0).padStart(10)}${ms(percentile(r.latencies, 50)).padStart(11)}${ms(percentile(r.latencies, 99)).padStart(11)}`);
		}
		console.log(`  bookings/s ÷ ceiling: ${(appRate / ceilRate).toFixed(3)} (${((appRate / ceilRate) * 100).toFixed(1)} %); bookings/s ÷ plain authenticated GET/s: ${(appRate / (floor.ok / floor.seconds)).toFixed(2)}`);
		const problems: string[] = [];
		if (Number(check.over) !== 0) problems.push(`${check.over} slots above capacity`);
		if (app.ok !== expectedOk) problems.push(`expected ${expectedOk} bookings, got ${app.ok}`);
		if (Number(check.booked) !== app.ok || Number(check.reservations) !== app.ok || Number(check.persons) !== app.ok) {
			problems.push(`counts disagree: booked ${check.booked}, reservations ${check.reservations}, persons ${check.persons}, successes ${app.ok}`);
		}
		if (app.other.size) problems.push(`unexpected statuses: ${JSON.stringify([...app.other])}`);
		console.log(`  no slot exceeds capacity: ${Number(check.over) === 0 ? 'yes' : 'NO'}; hot slots booked ${check.booked} of ${HOT * CAPACITY}; reservations ${check.reservations}`);
		console.log(`BOOKING_RESULT ${JSON.stringify({ attempts: ATTEMPTS, clients: CLIENTS, hot: HOT, capacity: CAPACITY, app: { ok: app.ok, full: app.full, perSecond: +appRate.toFixed(1), p50: +percentile(app.latencies, 50).toFixed(2), p99: +percentile(app.latencies, 99).toFixed(2) }, ceiling: { ok: ceiling.ok, perSecond: +ceilRate.toFixed(1), p50: +percentile(ceiling.latencies, 50).toFixed(2), p99: +percentile(ceiling.latencies, 99).toFixed(2) }, floor: { perSecond: +(floor.ok / floor.seconds).toFixed(1), p50: +percentile(floor.latencies, 50).toFixed(2) }, ratio: +(appRate / ceilRate).toFixed(4), overCapacity: Number(check.over) })}`);
		if (problems.length) {
			console.error(`FAILED: ${problems.join('; ')} (node logs in ${logDir})`);
			process.exitCode = 1;
		}
	} finally {
		for (const c of cleanups) await c().catch((e) => console.error('cleanup failed', e));
		if (process.exitCode !== 1) rmSync(logDir, { recursive: true, force: true });
		log('done');
	}
}

await main();
