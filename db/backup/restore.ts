/**
 * Point-in-time restore (R-O02) into a fresh data directory: unpack the newest base backup that
 * ended before the target, then let PostgreSQL itself replay archived WAL (recovery.signal +
 * restore_command + recovery_target_time) and promote. The server runs only on a private Unix
 * socket while it recovers, so no client can write to a half-restored database.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { archiveCommand, restoreCommand } from './archive.ts';
import { readManifest, type BackupEntry } from './manifest.ts';
import { BackupError, chownToServer, findServerBinaries, startPostgres, tail } from './pg-process.ts';

export interface RestoreOptions {
	backupDir: string;
	walDir?: string;
	/** where the restored cluster goes; must not exist (or be empty) unless `force` */
	dataDir: string;
	/** a moment (everything committed up to it) or 'latest' (everything archived) */
	target: Date | 'latest';
	/** move an existing data directory aside (to <dataDir>.before-restore-<time>) instead of refusing */
	force?: boolean;
	/** server binaries of the backup's major (default: found, see findServerBinaries) */
	binDir?: string;
	/** false: a trial restore that writes nothing into the archive (its new timeline stays private) */
	archive?: boolean;
	timeoutMs?: number;
	now?: () => Date;
}

export interface RestoreResult {
	backup: BackupEntry;
	dataDir: string;
	/** false when the target lay beyond the last archived transaction: restored to the latest instead */
	reachedTarget: boolean;
	/** as PostgreSQL reported it ("last completed transaction was at log time …") */
	lastTransactionAt: string | null;
	/** where an existing data directory was moved to, with `force` */
	previousDataDir: string | null;
}

/**
 * "2026-11-25 10:15" (or with seconds) as a moment in Asia/Tokyo; an ISO 8601 time with an offset
 * is taken as it is. Null when unreadable.
 */
export function parseTargetTime(text: string): Date | null {
	const t = text.trim();
	const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(t);
	const iso = local ? `${local[1]}-${local[2]}-${local[3]}T${local[4]}:${local[5]}:${local[6] ?? '00'}${local[7] ?? ''}+09:00` : t;
	if (!local && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) return null;
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return null;
	// Reject dates the Date parser silently rolls over (2026-02-30 → March 2).
	if (local && d.toLocaleString('sv-SE', { timeZone: 'Asia/Tokyo' }).slice(0, 10) !== `${local[1]}-${local[2]}-${local[3]}`) return null;
	return d;
}

export function formatTokyo(d: Date | string): string {
	return new Date(d).toLocaleString('sv-SE', { timeZone: 'Asia/Tokyo' }) + ' JST';
}

/** The newest backup that finished before `target` (a restore cannot stop inside a backup). */
export function chooseBackup(backups: BackupEntry[], target: Date | 'latest'): BackupEntry | null {
	const eligible = target === 'latest' ? backups : backups.filter((b) => new Date(b.finishedAt) < target);
	return [...eligible].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).at(-1) ?? null;
}

function freePort(): Promise<number> {
	return new Promise((res, rej) => {
		const s = createServer();
		s.on('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => res(port));
		});
	});
}

function untar(file: string, dir: string): Promise<void> {
	return new Promise((res, rej) => {
		const child = spawn('tar', ['-xzf', file, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		child.on('exit', (code) => (code === 0 ? res() : rej(new BackupError(`tar -x failed: ${tail(err)}`))));
	});
}

/** A live postmaster in `dataDir`? (its pid file names a running process) */
export function serverRunningIn(dataDir: string): number | null {
	const pidFile = join(dataDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return null;
	const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
	try {
		process.kill(pid, 0);
		return pid;
	} catch {
		return null;
	}
}

function prepareTarget(dataDir: string, force: boolean, now: Date): string | null {
	if (!existsSync(dataDir) || readdirSync(dataDir).length === 0) return null;
	const pid = serverRunningIn(dataDir);
	if (pid) throw new BackupError(`a PostgreSQL server (pid ${pid}) is running in ${dataDir}: stop the app (and the database) first`);
	if (!force) throw new BackupError(`${dataDir} already exists and is not empty. Add --force to move it aside (nothing is deleted).`);
	const aside = `${dataDir}.before-restore-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
	renameSync(dataDir, aside);
	return aside;
}

export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
	const backupDir = resolve(opts.backupDir);
	const walDir = resolve(opts.walDir ?? join(backupDir, 'wal'));
	const dataDir = resolve(opts.dataDir);
	const now = (opts.now ?? (() => new Date()))();
	const { backups } = readManifest(backupDir);
	if (!backups.length) throw new BackupError(`no base backups recorded in ${join(backupDir, 'manifest.json')}`);
	const backup = chooseBackup(backups, opts.target);
	if (!backup) {
		throw new BackupError(`no backup finished before ${formatTokyo(opts.target as Date)}; the earliest restorable moment is ${formatTokyo(backups[0].finishedAt)}`);
	}
	const binDir = opts.binDir ?? findServerBinaries(backup.serverMajor);
	const previousDataDir = prepareTarget(dataDir, !!opts.force, now);
	try {
		return await restoreInto(opts, backup, binDir, walDir, dataDir, backupDir, previousDataDir);
	} catch (e) {
		// Nothing half-restored stays behind: remove ours, put back what was there.
		rmSync(dataDir, { recursive: true, force: true });
		if (previousDataDir) renameSync(previousDataDir, dataDir);
		throw e;
	}
}

async function restoreInto(
	opts: RestoreOptions,
	backup: BackupEntry,
	binDir: string,
	walDir: string,
	dataDir: string,
	backupDir: string,
	previousDataDir: string | null
): Promise<RestoreResult> {
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });
	const src = join(backupDir, 'base', backup.id);
	await untar(join(src, 'base.tar.gz'), dataDir);
	if (existsSync(join(src, 'backup_label'))) copyFileSync(join(src, 'backup_label'), join(dataDir, 'backup_label'));
	for (const d of ['pg_wal', 'pg_wal/archive_status', 'pg_replslot', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans', 'pg_dynshmem']) {
		mkdirSync(join(dataDir, d), { recursive: true, mode: 0o700 });
	}
	// A server whose configuration lives outside its data directory (Debian's /etc/postgresql)
	// gets minimal files so it can recover; the operator puts their own back before going live.
	if (!existsSync(join(dataDir, 'postgresql.conf'))) writeFileSync(join(dataDir, 'postgresql.conf'), '# written by db:restore: the backup had no postgresql.conf\n');
	if (!existsSync(join(dataDir, 'pg_hba.conf'))) writeFileSync(join(dataDir, 'pg_hba.conf'), '# written by db:restore\nlocal all all peer\n');
	rmSync(join(dataDir, 'standby.signal'), { force: true });
	writeFileSync(join(dataDir, 'recovery.signal'), '');
	chownToServer(dataDir);
	const socketDir = mkdtempSync(join(tmpdir(), 'mn-restore-'));
	chownToServer(socketDir, false);

	const recover = async (target: Date | 'latest') => {
		const settings: Record<string, string | number> = {
			port: await freePort(),
			listen_addresses: '',
			unix_socket_directories: socketDir,
			logging_collector: 'off',
			log_destination: 'stderr',
			// English messages whatever the cluster's locale: we read the log to know how recovery ended
			lc_messages: 'C',
			hot_standby: 'off',
			// one syncfs() for the freshly unpacked directory instead of an fsync per file (seconds saved, same durability)
			recovery_init_sync_method: process.platform === 'linux' ? 'syncfs' : 'fsync',
			restore_command: restoreCommand(walDir),
			recovery_target_timeline: 'latest',
			recovery_target_action: 'promote'
		};
		if (target !== 'latest') settings.recovery_target_time = target.toISOString().replace('T', ' ').replace('Z', '+00');
		// Archive into the same archive from the promotion on: the new timeline's history file must
		// reach it, or a later restore would follow the abandoned timeline. (The embedded server gets
		// its archive settings as start flags, not from postgresql.conf, so they are set here.)
		if (opts.archive === false) settings.archive_mode = 'off';
		else Object.assign(settings, { archive_mode: 'on', archive_command: archiveCommand(walDir) });
		const server = startPostgres(binDir, dataDir, settings);
		try {
			// "ready to accept connections" (not "read-only") comes only after recovery ended and the server promoted.
			await server.waitFor(/database system is ready to accept connections/, opts.timeoutMs ?? 10 * 60_000);
			return { ok: true as const, log: server.log() };
		} catch (e) {
			const log = server.log();
			if (/recovery ended before configured recovery target was reached/.test(log)) return { ok: false as const, log };
			throw e;
		} finally {
			await server.stop('fast');
		}
	};

	try {
		let outcome = await recover(opts.target);
		let reachedTarget = true;
		if (!outcome.ok) {
			// The target lies after the last archived transaction: finish recovery at the end of the archive.
			reachedTarget = false;
			outcome = await recover('latest');
			if (!outcome.ok) throw new BackupError(`recovery failed:\n${tail(outcome.log)}`);
		}
		const last = /last completed transaction was at log time ([^\n]+)/.exec(outcome.log)?.[1] ?? null;
		return { backup, dataDir, reachedTarget, lastTransactionAt: last, previousDataDir };
	} finally {
		rmSync(socketDir, { recursive: true, force: true });
	}
}
