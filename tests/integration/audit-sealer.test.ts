/**
 * Issue 17 (R-O03): 操作ログ rows are written unsealed, with no lock on a shared row, and one sealer
 * chains them after commit (db/functions/20-audit-seal.sql, server/sealer.ts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { createDb, type Db } from '../../db/index.ts';
import { audit } from '../../src/lib/server/audit/write.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import { sealNow, sealPass } from '../../src/lib/server/audit/seal.ts';
import { createLogger } from '../../src/lib/server/log.ts';
import { startSealer, type Sealer } from '../../server/sealer.ts';
import { runMigrations } from '../../db/migrate.ts';
import { functionFiles } from '../../db/functions.ts';

let t: TestDatabase;
const log = createLogger('silent');

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'audit_sealer');
});
afterAll(async () => t?.drop());

async function one<T>(sql: string, db: Db = t.db): Promise<T> {
	const [[r]] = (await db.sequelize.query(sql)) as [T[], unknown];
	return r;
}
const unsealed = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL`)).n;

/** The chain is 1..n without a gap or a double, each row pointing at the one before, and it verifies. */
async function expectWholeChain(rows: number) {
	const c = await one<{ n: number; min: string; max: string; distinct: number }>(
		`SELECT count(*)::int AS n, min(seq)::text AS min, max(seq)::text AS max, count(DISTINCT seq)::int AS distinct FROM audit_log WHERE seq IS NOT NULL`
	);
	expect(c).toEqual({ n: rows, min: '1', max: String(rows), distinct: rows });
	const broken = await one<{ n: number }>(
		`SELECT count(*)::int AS n FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1 WHERE b.prev_hash IS DISTINCT FROM a.hash`
	);
	expect(broken.n).toBe(0);
	const head = await one<{ seq: string }>(`SELECT seq::text AS seq FROM audit_chain_head`);
	expect(head.seq).toBe(String(rows));
	const report = await verifyChain(t.db);
	expect(report, JSON.stringify(report.firstBreak)).toMatchObject({ intact: true, rows, pending: 0 });
}

/** Waits, by the worker's own passes (no sleeping), until nothing is left unsealed. */
async function untilSealed(sealers: Sealer[], withinMs: number) {
	const deadline = Date.now() + withinMs;
	while ((await unsealed()) > 0) {
		expect(Date.now(), 'rows still unsealed').toBeLessThan(deadline);
		await Promise.all(sealers.map((s) => s.nextPass()));
	}
}

describe('R-O03 audit sealer', () => {
	it('R-O03 db/functions are applied by runMigrations after the migrations, again on every run without changing anything, owned by the owner; the commit-time trigger is gone', async () => {
		const fns = `SELECT p.proname, md5(p.prosrc) AS src, p.prosecdef, pg_get_userbyid(p.proowner) AS owner, p.proacl::text AS acl
		               FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY p.proname, p.oid`;
		const before = (await t.db.sequelize.query(fns))[0];
		expect(await runMigrations(t.db.sequelize)).toEqual([]);
		expect((await t.db.sequelize.query(fns))[0]).toEqual(before);
		// the bodies in the database are the files' (here: the guard that lets only the sealer seal)
		const guard = await one<{ src: string }>(`SELECT prosrc AS src FROM pg_proc WHERE proname = 'audit_log_guard'`);
		const file = functionFiles().find((f) => f.name === '10-audit-guards.sql')!.sql;
		expect(file).toContain(guard.src.trim());
		const seal = await one<{ definer: boolean; acl: string }>(`SELECT prosecdef AS definer, proacl::text AS acl FROM pg_proc WHERE proname = 'audit_log_seal_pending'`);
		expect(seal.definer).toBe(true);
		expect(seal.acl).not.toMatch(/(^|[{,])=X/); // not executable by PUBLIC
		const trig = await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND tgname = 'audit_log_seal'`);
		expect(trig.n).toBe(0);
	});

	it('R-O03 a writer takes no lock on a shared row: a transaction holding an unsealed row does not hold up another writer; the later-committing lower id is sealed after, never skipped', async () => {
		await sealNow(t.db);
		const before = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`)).n;
		const a = new pg.Client({ connectionString: t.url });
		const b = new pg.Client({ connectionString: t.url });
		await a.connect();
		await b.connect();
		try {
			// A writes first (the lower id) and, with the constraints checked now, would hold the chain
			// head from here to its commit under the old commit-time trigger.
			await a.query('BEGIN');
			const { rows: [ra] } = await a.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'test.lower_id') RETURNING id::text AS id`);
			await a.query('SET CONSTRAINTS ALL IMMEDIATE');
			// B writes and commits while A is open: it must not wait for anything A holds
			await b.query(`SET lock_timeout = '2s'`);
			await b.query('BEGIN');
			const { rows: [rb] } = await b.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'test.higher_id') RETURNING id::text AS id`);
			await b.query('COMMIT');
			expect(BigInt(rb.id)).toBeGreaterThan(BigInt(ra.id));
			// B is sealed; A's row, not yet committed, is not seen and not skipped
			expect(await sealNow(t.db)).toBe(1);
			await a.query('COMMIT');
			expect(await sealNow(t.db)).toBe(1);
			const [sb, sa] = await Promise.all([rb.id, ra.id].map((id) => one<{ seq: string }>(`SELECT seq::text AS seq FROM audit_log WHERE id = ${id}`)));
			expect(BigInt(sa.seq)).toBe(BigInt(sb.seq) + 1n);
		} finally {
			await a.end();
			await b.end();
		}
		await expectWholeChain(before + 2);
	});

	it('R-O03 concurrent writers on several connections: the worker seals every row in order within seconds and the chain verifies', async () => {
		await sealNow(t.db);
		const before = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`)).n;
		const sealer = startSealer(t.db, log, { intervalMs: 100 });
		const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: t.url, max: 4 }));
		const { ctx } = testContext(t.db);
		try {
			const write = async (i: number) => {
				if (i % 4 === 3) {
					// through the app's writer, in a transaction with a statement after the insert
					await t.db.sequelize.transaction(async (tx) => {
						await audit(ctx, { actorType: 'staff', actorId: `w${i % 5}`, action: 'test.concurrent', targetType: 'test', targetId: i, detail: { i, text: '改行\n"引用"' } }, tx);
						await t.db.sequelize.query('SELECT pg_sleep(0.001)', { transaction: tx });
					});
					return;
				}
				const c = await pools[i % 3].connect();
				try {
					await c.query('BEGIN');
					await c.query(`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail) VALUES ('staff', $1, 'test.concurrent', 'test', $2, $3)`, [`p${i % 3}`, String(i), JSON.stringify({ i })]);
					await c.query('SELECT pg_sleep(0.001)');
					await c.query('COMMIT');
				} finally {
					c.release();
				}
			};
			await Promise.all(Array.from({ length: 400 }, (_, i) => write(i)));
			const written = Date.now();
			await untilSealed([sealer], 10_000);
			const tookMs = Date.now() - written;
			expect(tookMs).toBeLessThan(5_000);
			await expectWholeChain(before + 400);
		} finally {
			await sealer.stop();
			await Promise.all(pools.map((p) => p.end()));
		}
	});

	it('R-O03 a sealer killed half-way through a pass leaves nothing half-sealed, and a restarted sealer carries on from the same head', async () => {
		await sealNow(t.db);
		const sealedBefore = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`)).n;
		await t.db.sequelize.query(`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id) SELECT 'system', 'bulk', 'test.kill', 'test', g::text FROM generate_series(1, 30000) g`);
		const head = await one<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM audit_chain_head`);
		const victim = new pg.Client({ connectionString: t.url });
		victim.on('error', () => undefined);
		await victim.connect();
		const pid = (await victim.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;
		// one pass over all 30 000 rows, in a single transaction
		const pass = victim.query(`SELECT audit_log_seal_pending(1000000, true)`).then(
			() => 'finished',
			(e: Error) => e.message
		);
		// wait until it is writing (it has an xid and holds the sealer's lock), then kill its backend
		const deadline = Date.now() + 10_000;
		for (;;) {
			const s = await one<{ writing: boolean }>(
				`SELECT (a.backend_xid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.objid = 727002 AND l.granted)) AS writing
				   FROM pg_stat_activity a WHERE a.pid = ${pid}`
			);
			if (s.writing) break;
			expect(Date.now(), 'the pass never started writing').toBeLessThan(deadline);
		}
		await t.db.sequelize.query(`SELECT pg_terminate_backend(${pid})`);
		expect(await pass).toMatch(/terminat/i);
		await victim.end().catch(() => undefined);
		// nothing of the killed pass stayed
		expect(await one<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM audit_chain_head`)).toEqual(head);
		expect(await unsealed()).toBe(30000);
		// a sealer started again (the worker) carries on
		const sealer = startSealer(t.db, log, { intervalMs: 50 });
		try {
			await untilSealed([sealer], 60_000);
		} finally {
			await sealer.stop();
		}
		await expectWholeChain(sealedBefore + 30000);
	});

	it('R-O03 two sealers at once (two app nodes, two pools): one seals at a time, no row sealed twice, no gap', async () => {
		await sealNow(t.db);
		const before = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`)).n;
		// while another node holds the sealer's lock, a pass gives way at once and seals nothing
		const other = new pg.Client({ connectionString: t.url });
		await other.connect();
		try {
			await t.db.sequelize.query(`INSERT INTO audit_log (actor_type, action) VALUES ('system', 'test.busy')`);
			await other.query('BEGIN');
			await other.query('SELECT pg_advisory_xact_lock(727002)');
			expect(await sealPass(t.db)).toBe(-1);
			expect(await unsealed()).toBe(1);
			// sealNow waits for it, then seals
			const waited = sealNow(t.db);
			await other.query('COMMIT');
			expect(await waited).toBe(1);
		} finally {
			await other.end();
		}

		const nodeB = createDb(t.url, { poolMax: 4 });
		const sealers = [startSealer(t.db, log, { intervalMs: 20 }), startSealer(nodeB, log, { intervalMs: 20 })];
		const pool = new pg.Pool({ connectionString: t.url, max: 8 });
		try {
			await Promise.all(
				Array.from({ length: 600 }, (_, i) =>
					pool.query(`INSERT INTO audit_log (actor_type, actor_id, action, target_id) VALUES ('system', $1, 'test.two_sealers', $2)`, [`n${i % 2}`, String(i)])
				)
			);
			await untilSealed(sealers, 15_000);
			await expectWholeChain(before + 1 + 600);
		} finally {
			await Promise.all(sealers.map((s) => s.stop()));
			await pool.end();
			await nodeB.close();
		}
	});
});
