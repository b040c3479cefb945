/**
 * Base backups (R-O02) with PostgreSQL's own tooling, in one of two ways:
 * - `basebackup`: pg_basebackup over the replication protocol (an external server, anywhere);
 *   needs client tools of at least the server's major.
 * - `copy`: the low-level API — pg_backup_start(), a file copy of the data directory,
 *   pg_backup_stop() — for a server on this machine whose major has no matching client tools here
 *   (the embedded default is PostgreSQL 18; Debian 12 ships client tools 15).
 * Either way the result is base/<id>/base.tar.gz (+ backup_label for `copy`) and a manifest entry;
 * WAL comes from the archive, so the backup is written only once it is complete (temp folder, rename).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { walFileName } from './archive.ts';
import { readManifest, writeManifest, type BackupEntry } from './manifest.ts';
import { BackupError, tail } from './pg-process.ts';

export type BackupMethod = 'auto' | 'basebackup' | 'copy';

export interface BaseBackupOptions {
	databaseUrl: string;
	backupDir: string;
	method?: BackupMethod;
	/** the server's data directory, for `copy` (default: what the server reports, if it exists here) */
	dataDir?: string;
	now?: () => Date;
}

/** Paths never copied (PostgreSQL docs, "Making a Base Backup Using the Low Level API"). */
const EXCLUDE = [
	'postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map', 'recovery.signal', 'standby.signal',
	'pg_wal/*', 'pg_replslot/*', 'pg_dynshmem/*', 'pg_notify/*', 'pg_serial/*', 'pg_snapshots/*',
	'pg_stat_tmp/*', 'pg_subtrans/*', 'log/*', 'postgresql.auto.conf.tmp'
];
const TAR_EXCLUDES = [...EXCLUDE.map((p) => `--exclude=./${p}`), '--exclude=pgsql_tmp*'];
const TAR_QUIET = ['--warning=no-file-changed', '--warning=no-file-removed', '--warning=no-file-shrank', '--ignore-failed-read'];

function backupId(d: Date): string {
	return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** One backup at a time per backup directory (a CLI run and the scheduled job may meet). */
function lock(backupDir: string): () => void {
	const file = join(backupDir, '.lock');
	for (let i = 0; i < 2; i++) {
		try {
			const fd = openSync(file, 'wx');
			writeFileSync(fd, String(process.pid));
			closeSync(fd);
			return () => rmSync(file, { force: true });
		} catch {
			let pid = 0;
			let alive = false;
			try {
				pid = Number(readFileSync(file, 'utf8'));
				process.kill(pid, 0);
				alive = pid > 0;
			} catch {
				/* stale lock */
			}
			if (alive) throw new BackupError(`another backup is running (pid ${pid}, ${file})`);
			rmSync(file, { force: true });
		}
	}
	throw new BackupError(`cannot lock ${file}`);
}

function dirSize(p: string): number {
	const st = statSync(p);
	if (!st.isDirectory()) return st.size;
	return readdirSync(p).reduce((n, e) => n + dirSize(join(p, e)), 0);
}

/** Major of the pg_basebackup on PATH, or null. */
export function clientMajor(): number | null {
	const r = spawnSync('pg_basebackup', ['--version'], { encoding: 'utf8' });
	const m = /\(PostgreSQL\) (\d+)/.exec(r.stdout ?? '');
	return r.status === 0 && m ? Number(m[1]) : null;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, okCodes = [0]): Promise<void> {
	return new Promise((res, rej) => {
		const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		child.on('error', (e) => rej(new BackupError(`${cmd}: ${e.message}`)));
		child.on('exit', (code) => (okCodes.includes(code ?? -1) ? res() : rej(new BackupError(`${cmd} failed (exit ${code}): ${tail(err)}`))));
	});
}

/** Copies a data directory (minus what must never be copied) into a gzip'd tar file. */
export function tarDataDir(dataDir: string, file: string): Promise<void> {
	// exit 1 = "some files changed while being read": expected while the server runs; WAL replay fixes them.
	return run('tar', ['-czf', file, ...TAR_QUIET, ...TAR_EXCLUDES, '-C', dataDir, '.'], process.env, [0, 1]);
}

/** Copies a data directory straight into another one (for a standby). */
export async function copyDataDir(dataDir: string, dest: string): Promise<void> {
	mkdirSync(dest, { recursive: true, mode: 0o700 });
	const tmp = join(dest, '..', `.copy-${process.pid}-${Date.now()}.tar`);
	try {
		await run('tar', ['-cf', tmp, ...TAR_QUIET, ...TAR_EXCLUDES, '-C', dataDir, '.'], process.env, [0, 1]);
		await run('tar', ['-xf', tmp, '-C', dest]);
	} finally {
		rmSync(tmp, { force: true });
	}
}

/**
 * The low-level backup protocol on one session: pg_backup_start, `copy`, pg_backup_stop (which
 * waits until the WAL the backup needs is archived). Returns the backup_label text.
 */
export async function lowLevelBackup(client: pg.Client, label: string, copy: () => Promise<void>, waitForArchive = true) {
	const start = await client.query<{ lsn: string }>('SELECT pg_backup_start($1, true)::text AS lsn', [label]);
	try {
		await copy();
	} catch (e) {
		await client.query('SELECT pg_backup_stop(false)').catch(() => {});
		throw e;
	}
	const stop = await client.query<{ lsn: string; labelfile: string; spcmapfile: string | null }>(
		'SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop($1)',
		[waitForArchive]
	);
	const { lsn, labelfile, spcmapfile } = stop.rows[0];
	if (spcmapfile && spcmapfile.trim()) throw new BackupError('tablespaces outside the data directory are not supported by the copy method; use pg_basebackup');
	const timeline = Number(/START TIMELINE: (\d+)/.exec(labelfile)?.[1] ?? 1);
	const startWalFile = /\(file ([0-9A-F]{24})\)/.exec(labelfile)?.[1];
	if (!startWalFile) throw new BackupError('unexpected backup_label from pg_backup_stop');
	return { startLsn: start.rows[0].lsn, stopLsn: lsn, labelfile, timeline, startWalFile };
}

function connectionEnv(databaseUrl: string) {
	const u = new URL(databaseUrl);
	const password = decodeURIComponent(u.password);
	u.password = '';
	// The password goes through the environment, never the command line (visible in ps).
	return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Takes one base backup and records it in the manifest. */
export async function takeBaseBackup(opts: BaseBackupOptions): Promise<BackupEntry> {
	const backupDir = resolve(opts.backupDir);
	mkdirSync(join(backupDir, 'base'), { recursive: true });
	const now = opts.now ?? (() => new Date());
	const unlock = lock(backupDir);
	const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'mynumber-backup' });
	const startedAt = now();
	const id = backupId(startedAt);
	const tmp = join(backupDir, 'base', `${id}.partial`);
	try {
		await client.connect();
		const settings = await client.query<{ name: string; setting: string }>(
			`SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'server_version_num', 'archive_mode', 'wal_segment_size', 'data_directory')`
		);
		const s = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
		if (s.archive_mode !== 'on' && s.archive_mode !== 'always') {
			throw new BackupError('WAL archiving is off on this server (archive_mode); a restore to a point in time needs it. See README "Backups and replica".');
		}
		const serverMajor = Math.floor(Number(s.server_version_num) / 10000);
		if (serverMajor < 15) throw new BackupError(`PostgreSQL ${s.server_version} is too old (15 or later needed)`);
		let method = opts.method ?? 'auto';
		const dataDir = opts.dataDir ?? s.data_directory;
		if (method === 'auto') {
			const cm = clientMajor();
			if (cm !== null && cm >= serverMajor) method = 'basebackup';
			else if (dataDir && existsSync(join(dataDir, 'PG_VERSION'))) method = 'copy';
			else {
				throw new BackupError(
					`no way to back up PostgreSQL ${serverMajor}: pg_basebackup here is ${cm ?? 'missing'} and the data directory is not on this machine. ` +
						`Install postgresql-client-${serverMajor} (or later), or run the backup on the database host.`
				);
			}
		}
		rmSync(tmp, { recursive: true, force: true });
		mkdirSync(tmp, { recursive: true });
		const label = `mynumber ${id}`;
		let entry: Omit<BackupEntry, 'finishedAt' | 'sizeBytes'>;
		if (method === 'copy') {
			if (!dataDir || !existsSync(join(dataDir, 'PG_VERSION'))) throw new BackupError(`data directory not found here: ${dataDir}`);
			const r = await lowLevelBackup(client, label, () => tarDataDir(dataDir, join(tmp, 'base.tar.gz')));
			writeFileSync(join(tmp, 'backup_label'), r.labelfile);
			entry = { id, method, startedAt: startedAt.toISOString(), timeline: r.timeline, startLsn: r.startLsn, stopLsn: r.stopLsn, startWalFile: r.startWalFile, serverVersion: s.server_version, serverMajor };
		} else {
			const { url, env } = connectionEnv(opts.databaseUrl);
			await run('pg_basebackup', ['-d', url, '-D', tmp, '-Ft', '-z', '-X', 'fetch', '-c', 'fast', '-l', label, '-w'], env);
			const m = JSON.parse(readFileSync(join(tmp, 'backup_manifest'), 'utf8')) as { 'WAL-Ranges': { Timeline: number; 'Start-LSN': string; 'End-LSN': string }[] };
			const range = m['WAL-Ranges'][0];
			entry = {
				id, method, startedAt: startedAt.toISOString(), timeline: range.Timeline, startLsn: range['Start-LSN'], stopLsn: range['End-LSN'],
				startWalFile: walFileName(range.Timeline, range['Start-LSN'], Number(s.wal_segment_size)), serverVersion: s.server_version, serverMajor
			};
		}
		const final = join(backupDir, 'base', id);
		renameSync(tmp, final);
		const done: BackupEntry = { ...entry, finishedAt: now().toISOString(), sizeBytes: dirSize(final) };
		const manifest = readManifest(backupDir);
		manifest.backups.push(done);
		writeManifest(backupDir, manifest);
		return done;
	} catch (e) {
		rmSync(tmp, { recursive: true, force: true });
		throw e;
	} finally {
		await client.end().catch(() => {});
		unlock();
	}
}
