/**
 * The backup directory's record of its base backups (manifest.json), written atomically after each
 * backup and pruning, so the app (a status page) and the restore read one small file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { walArchiveInfo, type WalArchiveInfo } from './archive.ts';

export interface BackupEntry {
	/** also the folder name under base/: UTC time the backup started, e.g. 20261125T013000Z */
	id: string;
	method: 'basebackup' | 'copy';
	startedAt: string;
	finishedAt: string;
	timeline: number;
	startLsn: string;
	stopLsn: string;
	/** first WAL segment a restore from this backup needs (retention keeps it and everything after) */
	startWalFile: string;
	serverVersion: string;
	serverMajor: number;
	sizeBytes: number;
}

export interface Manifest {
	version: 1;
	backups: BackupEntry[];
}

export const MANIFEST = 'manifest.json';

export function readManifest(backupDir: string): Manifest {
	const file = join(backupDir, MANIFEST);
	if (!existsSync(file)) return { version: 1, backups: [] };
	const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
	m.backups.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
	return m;
}

export function writeManifest(backupDir: string, m: Manifest): void {
	mkdirSync(backupDir, { recursive: true });
	const file = join(backupDir, MANIFEST);
	writeFileSync(`${file}.tmp`, JSON.stringify(m, null, 2) + '\n');
	renameSync(`${file}.tmp`, file);
}

export interface BackupStatus {
	backupDir: string;
	lastBackup: BackupEntry | null;
	/** the oldest moment a restore can reach (end of the oldest kept backup) */
	restorableFrom: string | null;
	backups: number;
	totalBytes: number;
	wal: WalArchiveInfo;
}

/** For the app (R-O02, R-O06 status view): the last backup's time and size, and the WAL archive. */
export function readBackupStatus(backupDir: string, walDir = join(backupDir, 'wal')): BackupStatus {
	const { backups } = readManifest(backupDir);
	return {
		backupDir,
		lastBackup: backups.at(-1) ?? null,
		restorableFrom: backups[0]?.finishedAt ?? null,
		backups: backups.length,
		totalBytes: backups.reduce((n, b) => n + b.sizeBytes, 0),
		wal: walArchiveInfo(walDir)
	};
}
