import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeStaff } from '../harness/factories.ts';
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { audit } from '../../src/lib/server/audit/write.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import { sealNow } from '../../src/lib/server/audit/seal.ts';
import { exportAuditCsv, listAudit } from '../../src/lib/server/audit/read.ts';
import { verifyAuditLog } from '../../src/lib/server/audit/verify.ts';
import { auditQuery } from '../../src/lib/server/audit/schemas.ts';
import { login, type Principal } from '../../src/lib/server/auth/session.ts';
import type { AppContext } from '../../src/lib/server/context.ts';
import { AppError } from '../../src/lib/server/errors.ts';

/** R-O03: the 操作ログ is chained by hash, verifiable, refuses rewrites, and reads back through filters and CSV. */
let t: TestDatabase;
let ctx: AppContext;
let admin: Principal;
let clerk: Principal;

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'audit_log');
	ctx = testContext(t.db).ctx;
	await makeStaff(t.db, 'admin', 'pw-audit-admin-1', 'auditadmin');
	await makeStaff(t.db, 'clerk', 'pw-audit-clerk-1', 'auditclerk');
	admin = (await login(ctx, { login: 'auditadmin', password: 'pw-audit-admin-1' })).principal;
	clerk = (await login(ctx, { login: 'auditclerk', password: 'pw-audit-clerk-1' })).principal;
});
afterAll(async () => t?.drop());

const q = (v: Record<string, string> = {}) => auditQuery.parse(v);

/** `npm run audit:verify` as operations run it: its exit code and what it prints. */
function verifyCli(env: Record<string, string> = {}): { status: number | null; out: string } {
	const r = spawnSync(process.execPath, ['db/audit-verify.ts'], { env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 30_000 });
	return { status: r.status, out: r.stdout + r.stderr };
}

/** Runs `work` with the append-only trigger off, as a superuser could; puts it back whatever happens. */
async function asSuperuser(work: () => Promise<unknown>) {
	await t.db.sequelize.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
	try {
		await work();
	} finally {
		await t.db.sequelize.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
	}
}

async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
	return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

describe('hash chain', () => {
	it('R-O03 rows written concurrently by many transactions on two connection pools form one intact chain in commit order', async () => {
		// A second, separate pool (another app node, say) writing raw INSERTs, as the booking path does.
		const other = new pg.Pool({ connectionString: t.url, max: 5 });
		try {
			const before = Number((await t.db.sequelize.query(`SELECT count(*) AS n FROM audit_log`, { plain: true }))!.n);
			const detail = { text: '改行\n"引用" \\ \u0001 😀' };
			const viaPool = async (i: number) => {
				const c = await other.connect();
				try {
					await c.query('BEGIN');
					await c.query(`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail) VALUES ('staff', $1, 'test.concurrent', 'test', $2, $3)`, [`n2-${i % 5}`, String(i), JSON.stringify({ i, ...detail })]);
					await c.query('SELECT pg_sleep(0.002)');
					await c.query('COMMIT');
				} finally {
					c.release();
				}
			};
			// Each write in its own transaction with a statement after the insert, so transactions overlap.
			const viaModel = (i: number) =>
				t.db.sequelize.transaction(async (tx) => {
					await audit(ctx, { actorType: 'staff', actorId: `n1-${i % 7}`, action: 'test.concurrent', targetType: 'test', targetId: i, detail: { i, ...detail } }, tx);
					await t.db.sequelize.query('SELECT pg_sleep(0.002)', { transaction: tx });
				});
			await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? viaPool(i) : viaModel(i))));
			// written unsealed; the sealer chains them after commit (tests seal at once instead of waiting for the worker)
			await sealNow(t.db);
			const rows = await t.db.sequelize.query<{ seq: string; prev_hash: string; hash: string }>(`SELECT seq::text, prev_hash, hash FROM audit_log ORDER BY audit_log.seq`, { type: 'SELECT' as never });
			expect(rows.length).toBe(before + 200);
			rows.forEach((r, i) => {
				expect(r.seq).toBe(String(i + 1));
				if (i > 0) expect(r.prev_hash).toBe(rows[i - 1].hash);
			});
			const report = await verifyChain(t.db);
			expect(report).toMatchObject({ intact: true, rows: before + 200, firstBreak: null });
			const cli = verifyCli();
			expect(cli.status, cli.out).toBe(0);
			expect(cli.out).toContain(`(intact) — ${before + 200} 行を検査`);
		} finally {
			await other.end();
		}
	});

	it('R-O03 an unsealed row older than AUDIT_UNSEALED_FAULT_SECONDS is reported (unsealed_stale, in Japanese) by the verifier and audit:verify; a fresh one is pending, not a fault', async () => {
		await sealNow(t.db);
		// a fresh unsealed row: normal, the sealer has not been round yet. (The thresholds here are far
		// from the test's own duration, so a slow machine cannot turn "fresh" into "stale" mid-test.)
		await audit(ctx, { actorType: 'system', actorId: null, action: 'test.fresh' });
		const fresh = await verifyChain(t.db, new Date(), { unsealedFaultSeconds: 600 });
		expect(fresh).toMatchObject({ intact: true, pending: 1, firstBreak: null });
		const cliFresh = verifyCli({ AUDIT_UNSEALED_FAULT_SECONDS: '600' });
		expect(cliFresh.status, cliFresh.out).toBe(0);
		expect(cliFresh.out).toContain('封印待ち 1 行');
		expect(await sealNow(t.db)).toBe(1);
		// a row left unsealed (written by the owner an hour ago, as if the sealer had stopped since)
		await t.db.sequelize.query(`INSERT INTO audit_log (at, actor_type, action) VALUES (now() - interval '1 hour', 'system', 'test.stale')`);
		const [stale] = await t.db.sequelize.query<{ id: string }>(`SELECT id::text FROM audit_log WHERE action = 'test.stale'`, { type: 'SELECT' as never });
		const report = await verifyChain(t.db, new Date(), { unsealedFaultSeconds: 600 });
		expect(report.intact).toBe(false);
		expect(report.firstBreak).toMatchObject({ reason: 'unsealed_stale', id: stale.id, seq: '-' });
		expect(report.firstBreak?.message).toContain('600 秒以上過ぎてもチェーンに封印されていない行があります');
		const cli = verifyCli({ AUDIT_UNSEALED_FAULT_SECONDS: '600' });
		expect(cli.status, cli.out).toBe(1);
		expect(cli.out).toContain(`first broken row: id ${stale.id}, seq -, reason unsealed_stale`);
		// the threshold is configurable: two hours makes the same row still pending
		expect(await verifyChain(t.db, new Date(), { unsealedFaultSeconds: 7200 })).toMatchObject({ intact: true, pending: 1 });
		expect(verifyCli({ AUDIT_UNSEALED_FAULT_SECONDS: '7200' }).status).toBe(0);
		// the admin page (the default 10 s) says the same
		const viaPage = await verifyAuditLog(ctx, admin);
		expect(viaPage.firstBreak).toMatchObject({ reason: 'unsealed_stale', id: stale.id });
		// once the sealer has been round, the chain is whole again
		expect(await sealNow(t.db)).toBeGreaterThanOrEqual(1);
		expect(await verifyChain(t.db)).toMatchObject({ intact: true, pending: 0 });
	});

	it('R-O03 a row changed directly in the database (trigger disabled as superuser) is reported as the first break', async () => {
		await audit(ctx, { actorType: 'staff', actorId: 'auditadmin', action: 'test.tamper', targetType: 'test', targetId: 'a' });
		await sealNow(t.db);
		const [victim] = await t.db.sequelize.query<{ id: string; seq: string }>(`SELECT id::text, seq::text FROM audit_log WHERE action = 'test.tamper' ORDER BY audit_log.seq DESC LIMIT 1`, { type: 'SELECT' as never });
		await audit(ctx, { actorType: 'staff', actorId: 'auditadmin', action: 'test.after_tamper' });
		await sealNow(t.db);
		expect((await verifyChain(t.db)).intact).toBe(true);

		await asSuperuser(() => t.db.sequelize.query(`UPDATE audit_log SET actor_id = 'someone-else' WHERE id = :id`, { replacements: { id: victim.id } }));
		const report = await verifyChain(t.db);
		expect(report.intact).toBe(false);
		expect(report.firstBreak).toMatchObject({ id: victim.id, seq: victim.seq, reason: 'hash_mismatch' });
		expect(report.rows).toBe(Number(victim.seq) - 1);
		const cli = verifyCli();
		expect(cli.status).toBe(1);
		expect(cli.out).toContain(`first broken row: id ${victim.id}, seq ${victim.seq}, reason hash_mismatch`);

		// The admin page says the same, and the check is itself logged with where it broke.
		const viaPage = await verifyAuditLog(ctx, admin);
		expect(viaPage.firstBreak?.id).toBe(victim.id);
		const [logged] = await t.db.sequelize.query<{ detail: Record<string, unknown> }>(`SELECT detail FROM audit_log WHERE action = 'audit.verified' ORDER BY id DESC LIMIT 1`, { type: 'SELECT' as never });
		expect(logged.detail).toMatchObject({ intact: false, brokenId: victim.id });

		// Recomputing the hash of the changed row does not hide it: the next row no longer points at it.
		await asSuperuser(() => t.db.sequelize.query(`UPDATE audit_log SET hash = audit_log_hash(prev_hash, audit_log) WHERE id = :id`, { replacements: { id: victim.id } }));
		const again = await verifyChain(t.db);
		expect(again.firstBreak?.reason).toBe('prev_mismatch');
		expect(Number(again.firstBreak?.seq)).toBe(Number(victim.seq) + 1);

		// Deleting rows shows as a gap, and so does removing the newest ones.
		await asSuperuser(() => t.db.sequelize.query(`DELETE FROM audit_log WHERE seq >= :seq`, { replacements: { seq: victim.seq } }));
		expect((await verifyChain(t.db)).firstBreak?.reason).toBe('tail_missing');
	});

	it('R-O03 UPDATE, DELETE and TRUNCATE are refused; chain columns cannot be chosen by the writer', async () => {
		await expect(t.db.sequelize.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
		await expect(t.db.sequelize.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
		await expect(t.db.sequelize.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
		await expect(t.db.sequelize.query(`TRUNCATE audit_chain_head`)).rejects.toThrow(/cannot be deleted/);
		const [[row]] = (await t.db.sequelize.query(
			`INSERT INTO audit_log (actor_type, action, seq, prev_hash, hash) VALUES ('system', 'test.forge', 1, repeat('a', 64), repeat('b', 64)) RETURNING id::text`
		)) as [{ id: string }[], unknown];
		const [blank] = await t.db.sequelize.query<{ seq: string | null; hash: string | null }>(`SELECT seq::text, hash FROM audit_log WHERE id = :id`, { replacements: { id: row.id }, type: 'SELECT' as never });
		expect(blank).toEqual({ seq: null, hash: null });
		// Not even the owner seals by hand: an UPDATE that fills the chain columns is refused, and with the
		// sealer's transaction-local switch on a wrong hash is still refused.
		await expect(t.db.sequelize.query(`UPDATE audit_log SET seq = 1, prev_hash = repeat('a', 64), hash = repeat('b', 64) WHERE id = :id`, { replacements: { id: row.id } })).rejects.toThrow(/append-only/);
		await expect(
			t.db.sequelize.transaction(async (tx) => {
				await t.db.sequelize.query(`SET LOCAL mynumber.audit_seal = 'on'`, { transaction: tx });
				await t.db.sequelize.query(`UPDATE audit_log SET seq = 999999, prev_hash = repeat('a', 64), hash = repeat('b', 64) WHERE id = :id`, { replacements: { id: row.id }, transaction: tx });
			})
		).rejects.toThrow(/append-only/);
		await sealNow(t.db);
		const [sealed] = await t.db.sequelize.query<{ seq: string; prev_hash: string; hash: string }>(`SELECT seq::text, prev_hash, hash FROM audit_log WHERE id = :id`, {
			replacements: { id: row.id },
			type: 'SELECT' as never
		});
		expect(sealed.seq).not.toBe('1');
		expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
		expect(sealed.hash).not.toBe('b'.repeat(64));
		// Nor can anyone re-seal a sealed row: only the sealer seals, and only unsealed rows.
		await expect(t.db.sequelize.query(`UPDATE audit_log SET hash = repeat('c', 64) WHERE id = :id`, { replacements: { id: row.id } })).rejects.toThrow(/append-only/);
	});

});

describe('viewer and export', () => {
	it('R-O03 filters by user, action (or its area), target and time; newest first; reading is logged', async () => {
		const { ctx: c2, clock } = testContext(t.db);
		clock.now = new Date();
		await audit(c2, { actorType: 'staff', actorId: 'filter-a', action: 'reservation.created', targetType: 'reservation', targetId: 501 });
		await audit(c2, { actorType: 'staff', actorId: 'filter-a', action: 'reservation.cancelled', targetType: 'reservation', targetId: 502 });
		await audit(c2, { actorType: 'staff', actorId: 'filter-b', action: 'reservation.created', targetType: 'reservation', targetId: 503 });
		await audit(c2, { actorType: 'staff', actorId: 'filter-b', action: 'login', targetType: 'session', targetId: 'x' });

		const byUser = await listAudit(ctx, admin, q({ user: 'filter-a' }));
		expect(byUser.total).toBe(2);
		expect(byUser.entries.map((e) => e.targetId)).toEqual(['502', '501']);
		expect(byUser.entries[0]).toMatchObject({ action: 'reservation.cancelled', actionLabel: '予約取消', actor: 'filter-a' });
		expect(byUser.entries[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$/);

		expect((await listAudit(ctx, admin, q({ action: 'reservation.created' }))).entries.map((e) => e.targetId)).toEqual(['503', '501']);
		expect((await listAudit(ctx, admin, q({ action: 'reservation', user: 'filter-b' }))).total).toBe(1);
		expect((await listAudit(ctx, admin, q({ target: 'reservation:502' }))).entries.map((e) => e.action)).toEqual(['reservation.cancelled']);
		expect((await listAudit(ctx, admin, q({ target: '503' }))).total).toBe(1);
		// "login" is an area: login, login.failed … but an underscore is not a wildcard.
		expect((await listAudit(ctx, admin, q({ action: 'login', user: 'filter-b' }))).total).toBe(1);
		expect((await listAudit(ctx, admin, q({ action: 'reservation_created' }))).total).toBe(0);

		const future = await listAudit(ctx, admin, q({ from: '2099-01-01' }));
		expect(future.total).toBe(0);
		const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
		expect((await listAudit(ctx, admin, q({ user: 'filter-a', from: today, to: today }))).total).toBe(2);
		expect((await listAudit(ctx, admin, q({ user: 'filter-a', to: '2000-01-01T00:00:00+09:00' }))).total).toBe(0);

		const paged = await listAudit(ctx, admin, q({ user: 'filter-a', limit: '1', offset: '1' }));
		expect(paged.entries.map((e) => e.targetId)).toEqual(['501']);

		const [viewed] = await t.db.sequelize.query<{ actor_id: string; detail: { filters: Record<string, string> } }>(
			`SELECT actor_id, detail FROM audit_log WHERE action = 'audit.viewed' ORDER BY id DESC LIMIT 1`,
			{ type: 'SELECT' as never }
		);
		expect(viewed).toMatchObject({ actor_id: 'auditadmin', detail: { filters: { user: 'filter-a' } } });
	});

	it('R-O03 bad filters are 400s with the field named; a clerk may not read the log', async () => {
		for (const bad of [{ from: '2026-13-01' }, { action: 'DROP TABLE' }, { limit: '0' }, { sort: 'x' }, { from: '2026-11-02', to: '2026-11-01' }]) {
			const r = auditQuery.safeParse(bad);
			expect(r.success, JSON.stringify(bad)).toBe(false);
		}
		const e = await listAudit(ctx, clerk, q()).catch((x: unknown) => x);
		expect(e).toBeInstanceOf(AppError);
		expect((e as AppError).status).toBe(403);
		await expect(exportAuditCsv(ctx, null, q())).rejects.toMatchObject({ status: 401 });
		await expect(verifyAuditLog(ctx, clerk)).rejects.toMatchObject({ status: 403 });
	});

	it('R-O03 CSV export: UTF-8 with BOM, Japanese headers, Tokyo times, readable actions; parsed back it matches the log; the export is logged', async () => {
		await audit(ctx, { actorType: 'staff', actorId: 'csv-user', action: 'slot.capacity_changed', targetType: 'slot', targetId: 77, detail: { reason: '職員不足のため, "臨時"', capacity: 3 }, ip: '10.0.0.5' });
		await audit(ctx, { actorType: 'citizen', actorId: null, action: 'reservation.created', targetType: 'reservation', targetId: 78 });
		const bytes = new Uint8Array(await new Response(await exportAuditCsv(ctx, admin, q({ target: 'slot:77' }))).arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder().decode(bytes);
		const rows: string[][] = parse(text, { bom: true });
		expect(rows[0]).toEqual(['日時', '利用者', '操作', '対象種別', '対象ID', '詳細', 'IPアドレス']);
		expect(rows.length).toBe(2);
		const [at, user, action, type, id, detail, ip] = rows[1];
		expect(at).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
		// (the concurrent-writers test above also wrote a row with target_id '77', of type 'test')
		const [row] = await t.db.sequelize.query<{ at: Date }>(`SELECT at FROM audit_log WHERE target_type = 'slot' AND target_id = '77'`, { type: 'SELECT' as never });
		const tokyo = new Date(new Date(row.at).getTime() + 9 * 3600_000).toISOString();
		expect(at).toBe(`${tokyo.slice(0, 10).replaceAll('-', '/')} ${tokyo.slice(11, 19)}`);
		expect([user, action, type, id, ip]).toEqual(['csv-user', '定員変更（slot.capacity_changed）', 'slot', '77', '10.0.0.5']);
		expect(JSON.parse(detail)).toEqual({ reason: '職員不足のため, "臨時"', capacity: 3 });

		// A value Excel would run as a formula is written as text.
		await audit(ctx, { actorType: 'staff', actorId: 'csv-user', action: 'test.formula', targetType: 'test', targetId: '=HYPERLINK("http://x")' });
		const formula: string[][] = parse(await textOf(await exportAuditCsv(ctx, admin, q({ action: 'test.formula' }))), { bom: true });
		expect(formula[1][4]).toBe(`'=HYPERLINK("http://x")`);

		const citizen: string[][] = parse(await textOf(await exportAuditCsv(ctx, admin, q({ target: 'reservation:78' }))), { bom: true });
		expect(citizen[1][1]).toBe('市民');

		// The whole log, more than one page, oldest first; empty results still carry the header.
		for (let i = 0; i < 1100; i += 100) {
			await t.db.sequelize.query(`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id) SELECT 'system', 'bulk', 'test.bulk', 'test', g::text FROM generate_series(:a, :b) g`, {
				replacements: { a: i, b: i + 99 }
			});
		}
		const all: string[][] = parse(await textOf(await exportAuditCsv(ctx, admin, q({ action: 'test.bulk' }))), { bom: true });
		expect(all.length).toBe(1101);
		expect(all[1][4]).toBe('0');
		expect(all[1100][4]).toBe('1099');
		const limited: string[][] = parse(await textOf(await exportAuditCsv(ctx, admin, q({ action: 'test.bulk', limit: '5', offset: '1000' }))), { bom: true });
		expect(limited.slice(1).map((r) => r[4])).toEqual(['1000', '1001', '1002', '1003', '1004']);
		const none: string[][] = parse(await textOf(await exportAuditCsv(ctx, admin, q({ user: 'nobody-at-all' }))), { bom: true });
		expect(none).toEqual([['日時', '利用者', '操作', '対象種別', '対象ID', '詳細', 'IPアドレス']]);

		const [exported] = await t.db.sequelize.query<{ actor_id: string; target_type: string; detail: Record<string, unknown> }>(
			`SELECT actor_id, target_type, detail FROM audit_log WHERE action = 'audit.exported' AND detail->'filters'->>'target' = 'slot:77'`,
			{ type: 'SELECT' as never }
		);
		expect(exported).toMatchObject({ actor_id: 'auditadmin', target_type: 'audit_log', detail: { format: 'csv' } });
	});
});
