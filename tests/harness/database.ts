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

/**
 * A fresh database per test file, migrated by the real migrations, dropped afterwards, so files
 * run in parallel and leave nothing behind (DESIGN "Tests").
 */
export async function createTestDatabase(serverUrl: string, label: string, opts: { poolMax?: number } = {}): Promise<TestDatabase> {
	const name = `mn_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
	const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE "${name}"`);
	} finally {
		await admin.end();
	}
	const url = withDatabase(serverUrl, name);
	const db = createDb(url, { poolMax: opts.poolMax ?? 10 });
	await runMigrations(db.sequelize);
	return {
		name,
		url,
		db,
		async drop() {
			await db.close().catch(() => {});
			const a = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
			await a.connect();
			try {
				await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
			} finally {
				await a.end();
			}
		}
	};
}
