import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../db/index.ts';
import { runMigrations } from '../../db/migrate.ts';

/** A URL for another database on the same server. */
export function withDatabase(url: string, name: string): string {
	const u = new URL(url);
	u.pathname = `/${name}`;
	return u.toString();
}

export interface TestDatabase {
	name: string;
	url: string;
	db: Db;
	drop(): Promise<void>;
}

/** The migrated template of one integration run (tests/harness/global-setup.ts provides it). */
export interface DatabaseTemplate {
	/** the server it lives on: files on another server (their own clusters) migrate as before */
	serverUrl: string;
	name: string;
}

const TEMPLATE_PREFIX = 'mn_tpl_';
/** A template older than this belongs to a run that died before its teardown. */
const STALE_TEMPLATE_MS = 12 * 3600_000;

async function onAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
	const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
	await admin.connect();
	try {
		return await fn(admin);
	} finally {
		await admin.end();
	}
}

const sameServer = (a: string, b: string) => withDatabase(a, 'postgres') === withDatabase(b, 'postgres');

/** This run's template for `serverUrl`, inside a vitest worker whose project has one; else null. */
async function runTemplate(serverUrl: string): Promise<string | null> {
	if (!process.env.VITEST) return null; // Playwright's global set-up, benchmarks
	const { inject } = await import('vitest');
	const tpl = inject('databaseTemplate') as DatabaseTemplate | undefined;
	return tpl && sameServer(tpl.serverUrl, serverUrl) ? tpl.name : null;
}

/**
 * Migrates one database by the real migrations (db/migrate.ts runMigrations, so whatever it applies
 * besides the schema comes along) and marks it a template that no one may connect to: Postgres
 * refuses to copy a database while any session is connected to it. Its name carries the run's
 * start and a random part, as runs in two checkouts share one server. Templates left by runs that
 * died before their teardown are dropped on the way.
 */
export async function createTemplateDatabase(serverUrl: string): Promise<DatabaseTemplate & { drop(): Promise<void> }> {
	const name = `${TEMPLATE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
	await dropStaleTemplates(serverUrl);
	await onAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
	try {
		const db = createDb(withDatabase(serverUrl, name), { poolMax: 2 }); // runMigrations holds one for its lock
		try {
			await runMigrations(db.sequelize);
		} finally {
			// no connection may remain, or every copy is refused
			await db.close();
		}
		await onAdmin(serverUrl, (admin) => admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`));
	} catch (e) {
		await onAdmin(serverUrl, (admin) => dropTemplate(admin, name)).catch(() => undefined);
		throw e;
	}
	return { serverUrl, name, drop: () => onAdmin(serverUrl, (admin) => dropTemplate(admin, name)) };
}

/** Drops the templates of runs that started more than 12 h before `now` (they died before their teardown); returns their names. */
export async function dropStaleTemplates(serverUrl: string, now = Date.now()): Promise<string[]> {
	return onAdmin(serverUrl, async (admin) => {
		const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'mn\\_tpl\\_%'`);
		const dropped: string[] = [];
		for (const { datname } of rows) {
			const started = Number(/^mn_tpl_(\d+)_/.exec(datname)?.[1]) * 1000;
			if (!started || now - started <= STALE_TEMPLATE_MS) continue;
			await dropTemplate(admin, datname).then(
				() => dropped.push(datname),
				() => undefined
			);
		}
		return dropped;
	});
}

async function dropTemplate(admin: pg.Client, name: string): Promise<void> {
	await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} WITH IS_TEMPLATE false`);
	await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
}

/**
 * `CREATE DATABASE … TEMPLATE`. Copies made at once do not block each other (they connect to
 * `postgres`, not to the template), but Postgres refuses (55006 "source database is being accessed
 * by other users", after waiting up to 5 s itself) while any session is connected to the template.
 * None should be (it allows no connections), yet autovacuum may visit it against wraparound: such a
 * moment passes, so wait a little and try again.
 */
export async function copyTemplate(admin: pg.Client, name: string, template: string, onRetry?: (attempt: number) => void): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`);
			return;
		} catch (e) {
			if ((e as { code?: string }).code !== '55006' || attempt >= 40) throw e;
			onRetry?.(attempt);
			await new Promise((r) => setTimeout(r, Math.min(25 * attempt, 250) + Math.random() * 25));
		}
	}
}

/**
 * A fresh database per test file, migrated by the real migrations, dropped afterwards, so files
 * run in parallel and leave nothing behind (DESIGN "Tests"). In the integration project it is a
 * copy of the run's template, migrated once (tests/harness/global-setup.ts); elsewhere, or on a
 * server of the file's own, the migrations run here. `bare: true` gives an empty database (no
 * migrations) for a test that migrates it its own way.
 */
export async function createTestDatabase(serverUrl: string, label: string, opts: { poolMax?: number; bare?: boolean } = {}): Promise<TestDatabase> {
	const name = `mn_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
	const template = opts.bare ? null : await runTemplate(serverUrl);
	await onAdmin(serverUrl, (admin) => (template ? copyTemplate(admin, name, template) : admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).then(() => undefined)));
	const url = withDatabase(serverUrl, name);
	const db = createDb(url, { poolMax: opts.poolMax ?? 10 });
	if (!template && !opts.bare) await runMigrations(db.sequelize);
	return {
		name,
		url,
		db,
		async drop() {
			await db.close().catch(() => {});
			await onAdmin(serverUrl, (a) => a.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
		}
	};
}
