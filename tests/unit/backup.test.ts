import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archiveCommand, restoreCommand, walFileName, walFilesBefore } from '../../db/backup/archive.ts';
import { planRetention, pruneBackups } from '../../db/backup/retention.ts';
import { readManifest, writeManifest } from '../../db/backup/manifest.ts';
import { chooseBackup, parseTargetTime } from '../../db/backup/restore.ts';
import type { BackupEntry } from '../../db/backup/manifest.ts';
import { synchronousCommit } from '../../src/lib/server/tx.ts';
import { parseConfig } from '../../src/lib/server/config.ts';

const entry = (finishedAt: string, startWalFile: string): BackupEntry => ({
	id: finishedAt,
	method: 'copy',
	startedAt: finishedAt,
	finishedAt,
	timeline: 1,
	startLsn: '0/0',
	stopLsn: '0/0',
	startWalFile,
	serverVersion: '18.4',
	serverMajor: 18,
	sizeBytes: 1
});

describe('backup rules', () => {
	it('R-O02 --to is read as Japan time; impossible dates and other shapes are refused', () => {
		expect(parseTargetTime('2026-11-25 10:15')?.toISOString()).toBe('2026-11-25T01:15:00.000Z');
		expect(parseTargetTime('2026-11-25 10:15:30')?.toISOString()).toBe('2026-11-25T01:15:30.000Z');
		expect(parseTargetTime('2026-11-25T01:15:00Z')?.toISOString()).toBe('2026-11-25T01:15:00.000Z');
		for (const bad of ['2026-02-30 10:00', '2026-11-25', 'yesterday', '2026-11-25 25:00', '']) expect(parseTargetTime(bad)).toBeNull();
	});

	it('R-O02 a restore starts from the newest backup that ended before the target', () => {
		const a = entry('2026-11-23T17:30:00.000Z', '000000010000000000000010');
		const b = entry('2026-11-24T17:30:00.000Z', '000000010000000000000020');
		expect(chooseBackup([b, a], 'latest')).toBe(b);
		expect(chooseBackup([a, b], new Date('2026-11-24T12:00:00Z'))).toBe(a);
		expect(chooseBackup([a, b], new Date('2026-11-20T00:00:00Z'))).toBeNull();
	});

	it('R-O02 retention keeps the backups of the newest N Tokyo days and the WAL from the oldest kept one', () => {
		const backups = [
			entry('2026-11-20T17:30:00.000Z', '000000010000000000000010'), // 11-21 JST
			entry('2026-11-21T17:30:00.000Z', '000000010000000000000020'), // 11-22
			entry('2026-11-22T01:00:00.000Z', '000000020000000000000025'), // 11-22, a manual one, after a restore (timeline 2)
			entry('2026-11-22T17:30:00.000Z', '000000020000000000000030') // 11-23
		];
		const plan = planRetention(backups, 2);
		expect(plan.keep.map((b) => b.startWalFile)).toEqual(['000000010000000000000020', '000000020000000000000025', '000000020000000000000030']);
		expect(plan.drop).toHaveLength(1);
		expect(plan.oldestNeededWal).toBe('000000010000000000000020');
		expect(planRetention(backups, 1).keep).toHaveLength(1);
		expect(planRetention([], 7)).toEqual({ keep: [], drop: [], oldestNeededWal: null });
		const names = ['00000001000000000000001F.gz', '000000010000000000000020.gz', '00000002.history.gz', '00000001000000000000000F.00000028.backup.gz', '000000020000000000000021.partial.gz', 'manifest.json'];
		expect(walFilesBefore(names, '000000010000000000000020')).toEqual(['00000001000000000000001F.gz', '00000001000000000000000F.00000028.backup.gz']);
	});

	it('R-O02 WAL file names follow the server: timeline, then the LSN split into 16 MB segments', () => {
		expect(walFileName(1, '0/2000028')).toBe('000000010000000000000002');
		expect(walFileName(3, '16/B374D848')).toBe('0000000300000016000000B3');
	});

	it('R-O02 the archive command never overwrites a different segment, accepts a retry of the same one, and the restore command reads it back', () => {
		const root = mkdtempSync(join(tmpdir(), 'mn-archive-'));
		try {
			const wal = join(root, 'archive');
			mkdirSync(wal);
			mkdirSync(join(root, 'pg_wal'));
			const seg = '000000010000000000000001';
			writeFileSync(join(root, 'pg_wal', seg), 'segment one');
			const sh = (cmd: string) => spawnSync('sh', ['-c', cmd.replaceAll('%p', `pg_wal/${seg}`).replaceAll('%f', seg)], { cwd: root }).status;
			expect(sh(archiveCommand(wal))).toBe(0);
			expect(sh(archiveCommand(wal))).toBe(0); // a retry after a crash
			writeFileSync(join(root, 'pg_wal', seg), 'another cluster, same name');
			expect(sh(archiveCommand(wal))).not.toBe(0);
			rmSync(join(root, 'pg_wal', seg));
			expect(sh(restoreCommand(wal))).toBe(0);
			expect(readFileSync(join(root, 'pg_wal', seg), 'utf8')).toBe('segment one');
			const missing = spawnSync('sh', ['-c', restoreCommand(wal).replaceAll('%p', 'pg_wal/x').replaceAll('%f', '000000010000000000000099')], { cwd: root }).status;
			expect(missing).toBe(1);
		} finally {
			rmSync(root, { recursive: true, force: true });
		}
	});

	it('R-O02 bookings commit synchronously only when a replica is configured or the setting says so', () => {
		const cfg = (env: Record<string, string>) => parseConfig({ LOG_LEVEL: 'silent', ...env });
		expect(synchronousCommit(cfg({}))).toBeNull();
		expect(synchronousCommit(cfg({ DATABASE_REPLICA_URL: 'postgres://r/db' }))).toBe('remote_apply');
		expect(synchronousCommit(cfg({ DATABASE_REPLICA_URL: 'postgres://r/db', BOOKING_SYNCHRONOUS_COMMIT: 'on' }))).toBe('on');
		expect(synchronousCommit(undefined)).toBeNull();
		expect(() => cfg({ BOOKING_SYNCHRONOUS_COMMIT: 'always' })).toThrow(/BOOKING_SYNCHRONOUS_COMMIT/);
		expect(() => cfg({ BACKUP_CRON: 'daily' })).toThrow(/BACKUP_CRON/);
	});

	it('R-O02 pruning deletes the old backups and the WAL only they needed, and records it in the manifest first', () => {
		const dir = mkdtempSync(join(tmpdir(), 'mn-prune-'));
		try {
			const old = entry('2026-11-01T17:30:00.000Z', '000000010000000000000010');
			const kept = entry('2026-11-24T17:30:00.000Z', '000000010000000000000020');
			for (const b of [old, kept]) {
				mkdirSync(join(dir, 'base', b.id), { recursive: true });
				writeFileSync(join(dir, 'base', b.id, 'base.tar.gz'), 'x');
			}
			writeManifest(dir, { version: 1, backups: [old, kept] });
			mkdirSync(join(dir, 'wal'));
			for (const n of ['000000010000000000000010.gz', '00000001000000000000001F.gz', '000000010000000000000020.gz', '000000010000000000000021.gz', '00000002.history.gz']) writeFileSync(join(dir, 'wal', n), 'w');
			const report = pruneBackups(dir, 1);
			expect(report).toEqual({ removedBackups: [old.id], removedWalFiles: 2, keptBackups: 1 });
			expect(existsSync(join(dir, 'base', old.id))).toBe(false);
			expect(readManifest(dir).backups).toEqual([kept]);
			expect(readdirSync(join(dir, 'wal')).sort()).toEqual(['000000010000000000000020.gz', '000000010000000000000021.gz', '00000002.history.gz']);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
