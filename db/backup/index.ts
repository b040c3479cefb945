/**
 * Backups with point-in-time restore and a streaming replica (R-O02, R-O01). What the app and the
 * CLI use; README "Backups and replica" tells the operator's side.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../../src/lib/server/config.ts';
import { archiveSettings, settingsAsFlags } from './archive.ts';
import { takeBaseBackup } from './base-backup.ts';
import { readBackupStatus } from './manifest.ts';
import { BackupError, chownToServer, serverCanWrite } from './pg-process.ts';
import { pruneBackups } from './retention.ts';

export { archiveCommand, archiveSettings, restoreCommand, settingsAsConf, settingsAsFlags, walFileName } from './archive.ts';
export { takeBaseBackup, type BackupMethod } from './base-backup.ts';
export { readBackupStatus, readManifest, type BackupEntry, type BackupStatus } from './manifest.ts';
export { restoreBackup, parseTargetTime, formatTokyo, type RestoreResult } from './restore.ts';
export { pruneBackups, planRetention } from './retention.ts';
export { createStandby, standbyStatus, type StandbyStatus } from './replica.ts';
export { BackupError, startPostgres, findServerBinaries, embeddedBinDir } from './pg-process.ts';

type BackupConfig = Pick<Config, 'DATABASE_URL' | 'EMBEDDED_PG_DIR' | 'BACKUP_DIR' | 'BACKUP_KEEP_DAYS' | 'BACKUP_ARCHIVE_TIMEOUT_SECONDS'>;

export const DEFAULT_EMBEDDED_BACKUP_DIR = '.data/backups';

/** Backups run in this process when the database is the embedded one, or when BACKUP_DIR is set. */
export function backupsEnabled(config: BackupConfig): boolean {
	return !config.DATABASE_URL || !!config.BACKUP_DIR;
}

export function backupPaths(config: BackupConfig) {
	const backupDir = resolve(config.BACKUP_DIR ?? DEFAULT_EMBEDDED_BACKUP_DIR);
	return { backupDir, walDir: join(backupDir, 'wal') };
}

/**
 * `-c` flags that make the embedded PostgreSQL archive its WAL into <backup dir>/wal (given at
 * every start, so an existing .data/pg starts archiving too). The archive directory belongs to
 * the server's OS user, which writes it.
 */
export function embeddedArchiveFlags(config: BackupConfig): string[] {
	const { walDir } = backupPaths(config);
	mkdirSync(walDir, { recursive: true });
	chownToServer(walDir, false);
	// Fail at start rather than archive nothing (and fill pg_wal) for weeks without anyone noticing.
	if (!serverCanWrite(walDir)) throw new BackupError(`BACKUP_DIR: the database's OS user cannot write ${walDir} (check the permissions of its parent directories)`);
	return settingsAsFlags(archiveSettings(walDir, config.BACKUP_ARCHIVE_TIMEOUT_SECONDS));
}

/** The daily job: one base backup, then retention. Only ids and sizes are logged. */
export async function runScheduledBackup(config: BackupConfig, databaseUrl: string) {
	const { backupDir } = backupPaths(config);
	const entry = await takeBaseBackup({
		databaseUrl,
		backupDir,
		dataDir: config.DATABASE_URL ? undefined : resolve(config.EMBEDDED_PG_DIR)
	});
	const pruned = pruneBackups(backupDir, config.BACKUP_KEEP_DAYS);
	return { backup: entry.id, method: entry.method, bytes: entry.sizeBytes, removedBackups: pruned.removedBackups.length, removedWal: pruned.removedWalFiles };
}

/**
 * True when there is no base backup yet, or the last one is more than a day (plus slack) old: a
 * first start (or a node that missed the nightly run) then backs up at once, so a restore is
 * possible from day one rather than from the first 02:30.
 */
export function backupDue(config: BackupConfig, now = new Date()): boolean {
	const last = readBackupStatus(backupPaths(config).backupDir).lastBackup;
	return !last || now.getTime() - new Date(last.finishedAt).getTime() > 26 * 3600_000;
}

/** For a status page: the last backup's time and size, and the archive, from the manifest. */
export function backupStatus(config: BackupConfig) {
	const { backupDir, walDir } = backupPaths(config);
	return readBackupStatus(backupDir, walDir);
}
