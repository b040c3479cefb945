/**
 * Issue 10: the app's runtime role owns nothing and may only append to the operation log. Every
 * statement below runs on a real Postgres as that role, set up the way boot sets it up
 * (migrations, pg-boss's schema and db/roles.sql applied by the owner, db/roles.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { createTestDatabase, withDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId, typed } from '../harness/factories.ts';
import { createDb, type Db } from '../../db/index.ts';
import { runMigrations } from '../../db/migrate.ts';
import { prepareRuntimeAccess, privilegeReport, type RuntimeAccess } from '../../db/roles.ts';
import { installJobSchema, JOBS, startJobs } from '../../server/jobs.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { createHold } from '../../src/lib/server/booking/holds.ts';
import { audit } from '../../src/lib/server/audit/write.ts';
import { importCards, sampleCsv } from '../../src/lib/server/cards/import.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import { sealNow } from '../../src/lib/server/audit/seal.ts';
import { retentionPreview, retentionPurgeNow, saveRetentionRules } from '../../src/lib/server/ops/retention.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

// Roles belong to the whole server: this suite's own, dropped at the end.
const ROLE = `mn_t_app_${randomBytes(4).toString('hex')}`;
let t: TestDatabase;
let access: RuntimeAccess;
let rt: Db;

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'least_privilege');
	await runMigrations(t.db.sequelize, {
		then: async () => {
			await installJobSchema(t.url);
			access = await prepareRuntimeAccess(t.db.sequelize, { ownerUrl: t.url, role: ROLE });
		}
	});
	rt = createDb(access.url, { poolMax: 5 });
});
afterAll(async () => {
	await rt?.close();
	await t?.drop();
	const admin = new pg.Client({ connectionString: withDatabase(inject('databaseUrl'), 'postgres') });
	await admin.connect();
	try {
		await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(ROLE)}`);
	} finally {
		await admin.end();
	}
});

const admin: Principal = { userId: 1, login: 'admin', displayName: 'admin', role: 'admin', locationId: null, sessionId: 's' };

/** Refused by Postgres's privilege system (SQLSTATE 42501), not by a trigger the role could remove. */
async function denied(sql: string) {
	const err = await rt.sequelize.query(sql).then(
		() => null,
		(e: { parent?: { code?: string; message?: string } }) => e
	);
	expect(err, `${sql} was allowed`).not.toBeNull();
	expect({ sql, code: err!.parent?.code }).toEqual({ sql, code: '42501' });
	return err!.parent!.message!;
}

async function count(sql: string): Promise<number> {
	const [[r]] = (await t.db.sequelize.query(sql)) as [{ n: number }[], unknown];
	return r.n;
}

describe('R-O03 R-O04 least privilege: the runtime role cannot tamper with the operation log', () => {
	it('R-O03 R-O04 boot connects as a login role of its own that is no superuser, owns nothing and holds only SELECT and INSERT on audit_log', async () => {
		expect(access).toMatchObject({ mode: 'created', role: ROLE });
		expect(await privilegeReport(rt.sequelize)).toEqual({ user: ROLE, superuser: false, ownsAuditLog: false, auditExtra: [] });
		const [[owned]] = (await t.db.sequelize.query(
			`SELECT (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) + (SELECT count(*)::int FROM pg_proc WHERE proowner = r.oid)
			      + (SELECT count(*)::int FROM pg_namespace WHERE nspowner = r.oid) AS n FROM pg_roles r WHERE rolname = :role`,
			{ replacements: { role: ROLE } }
		)) as [{ n: number }[], unknown];
		expect(owned.n).toBe(0);
		// the owner's view, for contrast: it could do all of the below
		expect((await privilegeReport(t.db.sequelize)).ownsAuditLog).toBe(true);
	});

	it('R-O03 R-O04 with DATABASE_OWNER_URL the roles a DBA made are used: the owner migrates and grants, the runtime URL is kept; a missing role is a clear error', async () => {
		const ownerRole = `${ROLE}_own`;
		const dbName = `${t.name}_dba`;
		const server = inject('databaseUrl');
		const su = new pg.Client({ connectionString: withDatabase(server, 'postgres') });
		await su.connect();
		const asRole = (user: string) => {
			const u = new URL(withDatabase(server, dbName));
			u.username = user;
			u.password = 'dba-test-password';
			return u.toString();
		};
		let owner: Sequelize | undefined;
		try {
			await su.query(`CREATE ROLE ${pg.escapeIdentifier(ownerRole)} LOGIN PASSWORD 'dba-test-password'`);
			await su.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)} OWNER ${pg.escapeIdentifier(ownerRole)}`);
			owner = new Sequelize(asRole(ownerRole), { dialect: 'postgres', logging: false });
			let a!: RuntimeAccess;
			await runMigrations(owner, { then: async () => void (a = await prepareRuntimeAccess(owner!, { ownerUrl: asRole(ownerRole), runtimeUrl: asRole(ROLE), role: ROLE })) });
			expect(a).toEqual({ mode: 'separate', url: asRole(ROLE), role: ROLE });
			const [[g]] = (await owner.query(
				`SELECT has_table_privilege(:role, 'audit_log', 'INSERT') AS ins, has_table_privilege(:role, 'audit_log', 'DELETE') AS del,
				        has_table_privilege(:role, 'reservations', 'DELETE') AS res, (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log') AS owner`,
				{ replacements: { role: ROLE } }
			)) as [{ ins: boolean; del: boolean; res: boolean; owner: string }[], unknown];
			expect(g).toEqual({ ins: true, del: false, res: true, owner: ownerRole });
			await expect(prepareRuntimeAccess(owner, { ownerUrl: asRole(ownerRole), runtimeUrl: asRole('nobody'), role: `${ROLE}_missing` })).rejects.toThrow(/DATABASE_APP_ROLE: the role .* does not exist/);
		} finally {
			await owner?.close();
			await su.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(dbName)} WITH (FORCE)`);
			await su.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(ownerRole)}`);
			await su.end();
		}
	});

	it('R-O03 R-O04 TRUNCATE, DROP/DISABLE TRIGGER, UPDATE, DELETE, DROP TABLE, CREATE TABLE and the chain tables are refused with a permission error', async () => {
		await audit({ db: rt }, { actorType: 'system', actorId: null, action: 'test.target' });
		const before = await count(`SELECT count(*)::int AS n FROM audit_log`);
		const refused = [
			`TRUNCATE audit_log`,
			`DROP TRIGGER audit_log_no_update ON audit_log`,
			`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`,
			`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
			`UPDATE audit_log SET action = 'test.rewritten' WHERE action = 'test.target'`,
			`DELETE FROM audit_log WHERE action = 'test.target'`,
			`DROP TABLE audit_log`,
			`ALTER TABLE audit_log RENAME TO audit_log_old`,
			`CREATE TABLE public.audit_log_copy (id int)`,
			`CREATE TRIGGER t_sneak BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_blank_chain()`,
			`DROP FUNCTION audit_log_guard()`,
			`CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
			`ALTER FUNCTION audit_log_seal() SECURITY INVOKER`,
			`ALTER FUNCTION audit_log_seal_pending(integer, boolean) SECURITY INVOKER`,
			`CREATE OR REPLACE FUNCTION audit_log_seal_pending(p_limit integer, p_wait boolean) RETURNS integer LANGUAGE sql AS $$ SELECT 0 $$`,
			`UPDATE audit_chain_head SET seq = 0`,
			`DELETE FROM audit_chain_anchor`,
			`INSERT INTO audit_chain_anchor (id, seq, hash) VALUES (true, 1, repeat('0', 64))`,
			`TRUNCATE reservations`,
			`DROP TABLE reservations`,
			`CREATE SCHEMA sneaky`,
			`SET ROLE postgres`,
			`CREATE EVENT TRIGGER sneaky ON ddl_command_start EXECUTE FUNCTION audit_log_guard()`
		];
		for (const sql of refused) await denied(sql);
		// the transaction-local switch the purge uses does not help either: DELETE itself is not granted
		await expect(
			rt.sequelize.transaction(async (tx) => {
				await rt.sequelize.query(`SET LOCAL mynumber.audit_purge = 'on'`, { transaction: tx });
				await rt.sequelize.query(`DELETE FROM audit_log`, { transaction: tx });
			})
		).rejects.toMatchObject({ parent: { code: '42501' } });
		expect(await count(`SELECT count(*)::int AS n FROM audit_log`)).toBe(before);
		expect(await count(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND tgenabled = 'O' AND NOT tgisinternal`)).toBe(3);
		expect((await verifyChain(rt)).intact).toBe(true);
	});

	it('R-O03 R-O04 the purge function refuses rows newer than the city rule, and without a rule', async () => {
		await t.db.sequelize.query(`UPDATE city_settings SET retention_audit_years = NULL WHERE id = 1`);
		await sealNow(rt);
		const [[first]] = (await rt.sequelize.query(`SELECT min(seq)::text AS s, max(seq)::text AS m FROM audit_log`)) as [{ s: string; m: string }[], unknown];
		expect(await denied(`SELECT audit_log_purge(${first.s})`)).toMatch(/no retention rule/);
		await t.db.sequelize.query(`UPDATE city_settings SET retention_audit_years = 5 WHERE id = 1`);
		expect(await denied(`SELECT audit_log_purge(${first.m})`)).toMatch(/newer than the retention rule/);
		expect(await denied(`SELECT audit_log_purge(${first.s})`)).toMatch(/newer than the retention rule/);
		expect((await verifyChain(rt)).intact).toBe(true);
	});

	it('R-O03 R-O04 the runtime role cannot UPDATE an unsealed row nor seal one by hand (even with the sealer\'s switch); it can only run the sealer, which seals correctly', async () => {
		await audit({ db: rt }, { actorType: 'system', actorId: null, action: 'test.unsealed_target' });
		const [[row]] = (await t.db.sequelize.query(`SELECT id::text AS id, seq FROM audit_log WHERE action = 'test.unsealed_target' ORDER BY id DESC LIMIT 1`)) as [{ id: string; seq: string | null }[], unknown];
		expect(row.seq).toBeNull();
		await denied(`UPDATE audit_log SET action = 'test.rewritten' WHERE id = ${row.id}`);
		await denied(`UPDATE audit_log SET seq = 999999, prev_hash = repeat('0', 64), hash = audit_log_hash(repeat('0', 64), audit_log) WHERE id = ${row.id}`);
		await expect(
			rt.sequelize.transaction(async (tx) => {
				await rt.sequelize.query(`SET LOCAL mynumber.audit_seal = 'on'`, { transaction: tx });
				await rt.sequelize.query(`UPDATE audit_log SET seq = 999999, prev_hash = repeat('0', 64), hash = audit_log_hash(repeat('0', 64), audit_log) WHERE id = ${row.id}`, { transaction: tx });
			})
		).rejects.toMatchObject({ parent: { code: '42501' } });
		await denied(`UPDATE audit_chain_head SET seq = seq + 1`);
		const [[still]] = (await t.db.sequelize.query(`SELECT seq, action FROM audit_log WHERE id = ${row.id}`)) as [{ seq: string | null; action: string }[], unknown];
		expect(still).toEqual({ seq: null, action: 'test.unsealed_target' });
		expect(await sealNow(rt)).toBeGreaterThan(0);
		expect((await verifyChain(rt)).intact).toBe(true);
	});

	it('R-O03 R-O04 as the runtime role a staff booking and its audit row are written, chained and verified', async () => {
		const { ctx } = testContext(rt, { now: new Date('2026-11-24T00:00:00Z') });
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 4);
		const card = await makeCard(t.db);
		const clerk = await makeStaff(t.db, 'clerk');
		const r = await createStaffReservation(ctx, { userId: clerk.id, login: clerk.login, displayName: clerk.displayName, role: 'clerk', locationId: null, sessionId: 'lp' }, {
			slotId: String(slot.id),
			persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }]
		});
		expect(r).toMatchObject({ status: 'active', partySize: 1 });
		// and it cannot backdate a row of its own: the database sets the time
		await rt.sequelize.query(`INSERT INTO audit_log (at, actor_type, actor_id, action) VALUES ('2001-01-01', 'system', null, 'test.backdated')`);
		const [[back]] = (await t.db.sequelize.query(`SELECT at > now() - interval '1 hour' AS recent FROM audit_log WHERE action = 'test.backdated'`)) as [{ recent: boolean }[], unknown];
		expect(back.recent).toBe(true);
		// written unsealed, chained after commit by the sealer, which the runtime role runs through the owner's function
		const [[fresh]] = (await t.db.sequelize.query(`SELECT seq IS NULL AS unsealed FROM audit_log WHERE actor_id = :login ORDER BY id DESC LIMIT 1`, {
			replacements: { login: clerk.login }
		})) as [{ unsealed: boolean }[], unknown];
		expect(fresh.unsealed).toBe(true);
		expect(await sealNow(rt)).toBeGreaterThan(0);
		const [[row]] = (await t.db.sequelize.query(`SELECT seq IS NOT NULL AS sealed FROM audit_log WHERE actor_id = :login ORDER BY id DESC LIMIT 1`, {
			replacements: { login: clerk.login }
		})) as [{ sealed: boolean }[], unknown];
		expect(row.sealed).toBe(true);
		const report = await verifyChain(rt);
		expect(report.intact, JSON.stringify(report.firstBreak)).toBe(true);
	});

	it('R-O04 the card import, which stages rows in a temporary table, works as the runtime role', async () => {
		const { ctx } = testContext(rt, { now: new Date('2026-11-24T01:00:00Z') });
		const place = await makeLocation(t.db, { code: `lp${randomBytes(2).toString('hex')}` });
		const clerk = await makeStaff(t.db, 'clerk');
		async function* body() {
			yield new TextEncoder().encode(sampleCsv(place));
		}
		const r = await importCards(ctx, { userId: clerk.id, login: clerk.login, displayName: clerk.displayName, role: 'clerk', locationId: null, sessionId: 'lp' }, { body: body(), encoding: 'auto' });
		expect(r).toMatchObject({ created: 2 });
	});

	it('R-O04 pg-boss runs as the runtime role on the schema the owner installed: the hold-expiry job releases an expired hold', async () => {
		const { ctx, clock } = testContext(rt, { now: new Date('2026-11-24T00:00:00Z') });
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, '2026-12-01', '11:00', 2);
		const me = await citizenSession(ctx);
		await createHold(ctx, me, { slotId: String(slot.id), purposeId: await purposeId(t.db), persons: [typed(await makeCard(t.db))] });
		expect((await slot.reload()).held).toBe(1);
		clock.now = new Date('2026-11-24T00:11:00Z');
		const jobs = await startJobs(ctx, access.url, { ownerUrl: t.url });
		try {
			await jobs.boss.send(JOBS.expireHolds, {});
			const deadline = Date.now() + 20_000;
			while ((await slot.reload()).held !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
			expect(slot.held).toBe(0);
			// its maintenance pass (expiry, job retention, instance registry) needs no DDL
			const errors: unknown[] = [];
			jobs.boss.on('error', (e) => errors.push(e));
			await jobs.boss.supervise();
			expect(errors).toEqual([]);
		} finally {
			await jobs.stop();
		}
		await denied(`DROP TABLE pgboss.job`);
		await denied(`TRUNCATE pgboss.job`);
	});
	it('R-O03 R-O09 the retention purge runs as the runtime role through the owner function, and the chain still verifies', async () => {
		// the purge cuts only the start of the chain, so old rows come first: a database of its own.
		// Last in the file: createDb binds the (module-wide) models to the newest pool.
		const fresh = await createTestDatabase(inject('databaseUrl'), 'least_privilege_purge');
		let freshRt: Db | undefined;
		try {
			let a!: RuntimeAccess;
			await runMigrations(fresh.db.sequelize, { then: async () => void (a = await prepareRuntimeAccess(fresh.db.sequelize, { ownerUrl: fresh.url, role: ROLE })) });
			freshRt = createDb(a.url, { poolMax: 3 });
			// written by the owner, as if years had passed
			for (const at of ['2021-01-01', '2022-01-01']) {
				await fresh.db.sequelize.query(`INSERT INTO audit_log (at, actor_type, actor_id, action) VALUES (:at, 'system', null, 'test.old')`, { replacements: { at } });
			}
			const { ctx } = testContext(freshRt);
			await sealNow(freshRt);
			await saveRetentionRules(ctx, admin, { reservationMonths: 12, auditYears: 2 });
			expect((await retentionPreview(ctx, admin)).auditRows).toBe(2);
			const done = await retentionPurgeNow(ctx, admin);
			expect(done.auditRows).toBe(2);
			const [[left]] = (await freshRt.sequelize.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.old'`)) as [{ n: number }[], unknown];
			expect(left.n).toBe(0);
			const [[anchor]] = (await freshRt.sequelize.query(`SELECT seq::int AS seq FROM audit_chain_anchor`)) as [{ seq: number }[], unknown];
			expect(anchor.seq).toBe(2);
			await sealNow(freshRt);
			const report = await verifyChain(freshRt);
			expect(report.intact, JSON.stringify(report.firstBreak)).toBe(true);
			expect(report.rows).toBeGreaterThanOrEqual(2); // the rules change and the purge itself
		} finally {
			await freshRt?.close();
			await fresh.drop();
		}
	});
});
