/**
 * `npm run bench:audit`: what the 操作ログ hash chain (R-O03) costs. Concurrent clients run short
 * transactions that update a row of their own and write one audit row, against the chained
 * audit_log and against a plain copy of it without triggers (the baseline), rounds interleaved in
 * one run. Two shapes: the audit row written last (as booking does) and first (one statement
 * follows it). Then the verifier's speed over the rows written.
 *
 * Lock waits (issue 17): a sampler reads pg_stat_activity every 20 ms and counts the backends
 * waiting for a lock, and of those the ones waiting while they hold a lock on audit_chain_head
 * (the commit-time trigger's UPDATE of the chain head queued every audited commit there). Where
 * the sealer exists (server/sealer.ts) it runs during the whole benchmark as on a node, and the
 * time it needs to seal what is left at the end is reported.
 */
import pg from 'pg';
import { cpus, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = 2;

const services = await ensureServices();
const t = await createTestDatabase(services.databaseUrl, 'bench_audit', { poolMax: 2 });
const pool = new pg.Pool({ connectionString: t.url, max: CLIENTS });
// Dropping the database at the end terminates whatever is still connected: not an error here.
pool.on('error', () => {});
await pool.query(`
	CREATE TABLE audit_plain (LIKE audit_log INCLUDING DEFAULTS);
	ALTER TABLE audit_plain ALTER COLUMN seq DROP NOT NULL, ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
	CREATE TABLE bench_work (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0);
	INSERT INTO bench_work (id) SELECT g FROM generate_series(0, ${CLIENTS - 1}) g;
`);

// Lock-wait sampler: its own connection, one query every 20 ms while a round runs.
const sampler = new pg.Client({ connectionString: t.url });
sampler.on('error', () => {});
await sampler.connect();
const SAMPLE = `SELECT a.wait_event AS event,
	EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = 'audit_chain_head'::regclass) AS head
	FROM pg_stat_activity a WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'`;
const waitEvents = new Map<string, number>();
async function sampleLocks(until: number) {
	const r = { samples: 0, waits: 0, head: 0 };
	while (performance.now() < until) {
		const { rows } = await sampler.query<{ event: string; head: boolean }>(SAMPLE);
		r.samples++;
		r.waits += rows.length;
		r.head += rows.filter((x) => x.head).length;
		for (const x of rows) waitEvents.set(x.event, (waitEvents.get(x.event) ?? 0) + 1);
		await new Promise((res) => setTimeout(res, 20));
	}
	return r;
}

// The sealer, as every node runs it, when this checkout has one.
type SealerLike = { nextPass(): Promise<number>; stop(): Promise<void> };
let sealer: SealerLike | null = null;
if (existsSync(new URL('../../server/sealer.ts', import.meta.url))) {
	const { startSealer } = (await import('../../server/sealer.ts' as string)) as { startSealer: (db: unknown, log: unknown, o: { intervalMs: number }) => SealerLike };
	const quiet = { warn: () => {}, debug: () => {} };
	sealer = startSealer(t.db, quiet, { intervalMs: 250 });
}

type Shape = 'last' | 'first';
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

async function round(table: 'audit_log' | 'audit_plain', shape: Shape) {
	const insert = `INSERT INTO ${table} (actor_type, actor_id, action, target_type, target_id, detail, ip) VALUES ('staff', $1, 'bench.write', 'bench', $2, '{"k": 1}', '127.0.0.1')`;
	const work = `UPDATE bench_work SET n = n + 1 WHERE id = $1`;
	const latencies: number[] = [];
	const until = performance.now() + SECONDS * 1000;
	const locks = sampleLocks(until);
	await Promise.all(
		Array.from({ length: CLIENTS }, async (_, id) => {
			const c = await pool.connect();
			try {
				while (performance.now() < until) {
					const t0 = performance.now();
					await c.query('BEGIN');
					if (shape === 'first') await c.query(insert, [`u${id}`, String(id)]);
					await c.query(work, [id]);
					if (shape === 'last') await c.query(insert, [`u${id}`, String(id)]);
					await c.query('COMMIT');
					latencies.push(performance.now() - t0);
				}
			} finally {
				c.release();
			}
		})
	);
	latencies.sort((a, b) => a - b);
	return { perSec: latencies.length / SECONDS, p50: pct(latencies, 50), p99: pct(latencies, 99), locks: await locks };
}

const results: Record<string, { perSec: number[]; p50: number[]; p99: number[]; samples: number; waits: number; head: number }> = {};
for (let r = 0; r < ROUNDS; r++) {
	for (const shape of ['last', 'first'] as Shape[]) {
		for (const table of ['audit_plain', 'audit_log'] as const) {
			const x = await round(table, shape);
			const k = `${shape}:${table}`;
			results[k] ??= { perSec: [], p50: [], p99: [], samples: 0, waits: 0, head: 0 };
			results[k].samples += x.locks.samples;
			results[k].waits += x.locks.waits;
			results[k].head += x.locks.head;
			results[k].perSec.push(x.perSec);
			results[k].p50.push(x.p50);
			results[k].p99.push(x.p99);
		}
	}
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

console.log(`\naudit chain benchmark — ${CLIENTS} clients, ${ROUNDS}×${SECONDS} s per case, ${cpus().length} cores, Postgres at ${new URL(services.databaseUrl).host}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`sealing: ${sealer ? 'after commit, by the sealer worker (server/sealer.ts, 250 ms poll)' : 'at commit, by the deferred trigger on audit_chain_head'}`);
console.log('shape (audit row …)          chained tx/s   plain tx/s   ratio   chained p50/p99 ms   plain p50/p99 ms');
for (const shape of ['last', 'first'] as Shape[]) {
	const c = results[`${shape}:audit_log`];
	const p = results[`${shape}:audit_plain`];
	console.log(
		`${(shape === 'last' ? 'written last (booking path)' : 'written first, 1 stmt after').padEnd(29)}` +
			`${mean(c.perSec).toFixed(0).padStart(12)} ${mean(p.perSec).toFixed(0).padStart(12)} ${(mean(c.perSec) / mean(p.perSec)).toFixed(2).padStart(7)}` +
			`${`${mean(c.p50).toFixed(1)} / ${mean(c.p99).toFixed(1)}`.padStart(21)}${`${mean(p.p50).toFixed(1)} / ${mean(p.p99).toFixed(1)}`.padStart(19)}`
	);
}

console.log('lock waits (backends waiting for a lock, summed over 20 ms samples)   waits   on chain head   samples');
for (const shape of ['last', 'first'] as Shape[]) {
	for (const table of ['audit_log', 'audit_plain'] as const) {
		const x = results[`${shape}:${table}`];
		console.log(`${`${shape === 'last' ? 'written last' : 'written first'}, ${table === 'audit_log' ? 'chained' : 'plain'}`.padEnd(68)}${String(x.waits).padStart(7)}${String(x.head).padStart(16)}${String(x.samples).padStart(10)}`);
	}
}

console.log(`lock wait events, all cases: ${[...waitEvents].map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}`);

if (sealer) {
	const left = Number((await pool.query(`SELECT count(*) AS n FROM audit_log WHERE seq IS NULL`)).rows[0].n);
	const s0 = performance.now();
	while (Number((await pool.query(`SELECT count(*) AS n FROM audit_log WHERE seq IS NULL`)).rows[0].n) > 0) await sealer.nextPass();
	console.log(`sealer: ${left} rows unsealed when the writers stopped, all sealed ${(performance.now() - s0).toFixed(0)} ms later`);
	await sealer.stop();
}

const t0 = performance.now();
const report = await verifyChain(t.db);
const ms = performance.now() - t0;
console.log(`verify: ${report.intact ? 'intact' : 'BROKEN'}, ${report.rows} rows in ${ms.toFixed(0)} ms (${((report.rows / ms) * 1000).toFixed(0)} rows/s)`);

await sampler.end();
await pool.end();
await t.drop();
await services.stop();
