import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { copyTemplate, createTestDatabase, dropStaleTemplates, withDatabase, type TestDatabase } from '../harness/database.ts';

/**
 * The harness behind every integration file (issue 17): each file's database is a copy of the run's
 * template, migrated once in tests/harness/global-setup.ts, instead of running every migration again.
 */
const server = () => inject('databaseUrl');
const opened: pg.Client[] = [];
async function client(database: string): Promise<pg.Client> {
	const c = new pg.Client({ connectionString: withDatabase(server(), database) });
	await c.connect();
	opened.push(c);
	return c;
}
const rows = async <T>(c: pg.Client, sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];
/** One query on a database, on a connection closed at once (a forced drop would cut one left open). */
async function rowsIn<T>(database: string, sql: string): Promise<T[]> {
	const c = new pg.Client({ connectionString: withDatabase(server(), database) });
	await c.connect();
	try {
		return (await c.query(sql)).rows as T[];
	} finally {
		await c.end();
	}
}

let t: TestDatabase;
let admin: pg.Client;
beforeAll(async () => {
	t = await createTestDatabase(server(), 'harness');
	admin = await client('postgres');
});
afterAll(async () => {
	for (const c of opened) await c.end().catch(() => undefined);
	await t?.drop();
});

describe('issue 17 per-file databases from a template migrated once per run', () => {
	it('a file gets a fully migrated copy; the template itself takes no connections and has a name of this run', async () => {
		const tpl = inject('databaseTemplate');
		expect(tpl.name).toMatch(/^mn_tpl_\d+_[0-9a-f]{8}$/);
		const [meta] = await rows<{ datistemplate: boolean; datallowconn: boolean }>(admin, `SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1`, [tpl.name]);
		expect(meta).toEqual({ datistemplate: true, datallowconn: false });
		await expect(rowsIn(tpl.name, 'SELECT 1')).rejects.toThrow(/not currently accepting connections/);

		const [copy] = await rows<{ datistemplate: boolean; datallowconn: boolean }>(admin, `SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1`, [t.name]);
		expect(copy).toEqual({ datistemplate: false, datallowconn: true });
		// every migration of db/migrate.ts, applied in the template, came along (schema, functions, rows)
		const { migrator } = await import('../../db/migrate.ts');
		const pending = await migrator(t.db.sequelize).pending();
		expect(pending).toEqual([]);
		const executed = await migrator(t.db.sequelize).executed();
		expect(executed.length).toBeGreaterThan(0);
		const [settings] = await rowsIn<{ n: number }>(t.name, `SELECT count(*)::int AS n FROM city_settings`);
		expect(settings.n).toBe(1);
	});

	it('a bare database has nothing migrated, for a test that migrates its own way', async () => {
		const bare = await createTestDatabase(server(), 'harness_bare', { bare: true });
		try {
			const [r] = await rowsIn<{ n: number }>(bare.name, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
			expect(r.n).toBe(0);
		} finally {
			await bare.drop();
		}
	});

	it('a template left by a run that died more than 12 h ago is dropped; one of a run still going is kept', async () => {
		const now = Date.now();
		const old = `mn_tpl_${Math.floor((now - 13 * 3600_000) / 1000)}_${randomBytes(4).toString('hex')}`;
		await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(old)} IS_TEMPLATE true ALLOW_CONNECTIONS false`);
		try {
			const dropped = await dropStaleTemplates(server(), now);
			expect(dropped).toContain(old);
			expect(dropped).not.toContain(inject('databaseTemplate').name);
			const left = await rows<{ datname: string }>(admin, `SELECT datname FROM pg_database WHERE datname = ANY($1)`, [[old, inject('databaseTemplate').name]]);
			expect(left.map((r) => r.datname)).toEqual([inject('databaseTemplate').name]);
		} finally {
			await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(old)} WITH (FORCE)`).catch(() => undefined);
		}
	});

	it('copies made at once all succeed, and a copy refused while a session is on the template waits for it to leave', async () => {
		// a template of this test's own, so the run's template is never opened to connections
		const tpl = `mn_t_harness_tpl_${randomBytes(4).toString('hex')}`;
		const names = [1, 2, 3, 4].map((i) => `${tpl}_c${i}`);
		await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(tpl)} TEMPLATE ${pg.escapeIdentifier(inject('databaseTemplate').name)}`);
		try {
			const admins = await Promise.all(names.map(() => client('postgres')));
			await Promise.all(names.slice(0, 3).map((n, i) => copyTemplate(admins[i], n, tpl)));
			const made = await rows<{ datname: string }>(admin, `SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname`, [names.slice(0, 3)]);
			expect(made.map((r) => r.datname)).toEqual(names.slice(0, 3));

			const squatter = await client(tpl);
			let retried!: () => void;
			const refusedOnce = new Promise<void>((r) => (retried = r));
			const copy = copyTemplate(admins[3], names[3], tpl, () => retried());
			await refusedOnce; // Postgres waited its 5 s for the session, then said "being accessed by other users"
			await squatter.end();
			await copy;
			const [last] = await rows<{ n: number }>(admin, `SELECT count(*)::int AS n FROM pg_database WHERE datname = $1`, [names[3]]);
			expect(last.n).toBe(1);
		} finally {
			for (const n of [...names, tpl]) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(n)} WITH (FORCE)`);
		}
	});
});
