/**
 * The restore drill (R-O02): book, take a base backup, book more, lose the database, restore —
 * to the latest moment and to a moment between the bookings. Once on the embedded default's
 * PostgreSQL 18 (backup by pg_backup_start + file copy: no client tools of that major here) and
 * once on an external-style PostgreSQL 15 (backup by pg_basebackup). Our own clusters on free ports.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, withDatabase, type TestDatabase } from '../harness/database.ts';
import { clusterRoot, initCluster, queryOnce, runCluster, serverBinaries, type Cluster } from '../harness/pg-cluster.ts';
import { activeBookings, bookingDesk } from '../harness/drill.ts';
import { archiveSettings } from '../../db/backup/archive.ts';
import { takeBaseBackup } from '../../db/backup/base-backup.ts';
import { readBackupStatus } from '../../db/backup/manifest.ts';
import { restoreBackup } from '../../db/backup/restore.ts';
import { BackupError } from '../../db/backup/pg-process.ts';

describe.each([
	{ flavour: 'embedded' as const, major: 18, method: 'copy' },
	{ flavour: 'debian15' as const, major: 15, method: 'basebackup' }
])('restore drill on PostgreSQL $major ($flavour)', ({ flavour, major, method }) => {
	let root: ReturnType<typeof clusterRoot>;
	let binDir: string;
	let primary: Cluster | undefined;
	const running: Cluster[] = [];
	let t: TestDatabase;
	let backupDir: string;
	let first: string;
	let second: string;
	let between: Date;

	beforeAll(async () => {
		root = clusterRoot(`drill-${flavour}`);
		binDir = serverBinaries(flavour);
		backupDir = root.dir('backups');
		const walDir = root.dir('backups/wal');
		primary = await initCluster(binDir, root.dir('primary'), archiveSettings(walDir, 60));
		t = await createTestDatabase(primary.url(), 'drill');
	});
	afterAll(async () => {
		await t?.db.close().catch(() => {});
		for (const c of [primary, ...running]) await c?.stop('immediate').catch(() => {});
		root?.remove();
	});

	it(`R-O02 book, back up (${method}), book more, lose the database: the latest restore has every confirmed booking`, async () => {
		const desk = await bookingDesk(t.db);
		first = await desk.book();

		const backup = await takeBaseBackup({ databaseUrl: primary!.url(), backupDir, dataDir: primary!.dataDir });
		expect(backup).toMatchObject({ method, serverMajor: major, timeline: 1 });
		expect(backup.sizeBytes).toBeGreaterThan(1_000_000);
		// the app reads the last backup's time and size from the manifest (status page)
		const status = readBackupStatus(backupDir);
		expect(status.lastBackup?.id).toBe(backup.id);
		expect(status.wal.files).toBeGreaterThan(0);

		const [{ now }] = await queryOnce<{ now: Date }>(primary!.url(), 'SELECT clock_timestamp() AS now');
		between = now;
		await new Promise((r) => setTimeout(r, 50));
		second = await desk.book();
		const committed = await activeBookings(t.url);
		expect(committed).toEqual([first, second].sort());

		// Lose the database: stop the server (a clean stop archives the last WAL) and delete its data.
		await t.db.close();
		await primary!.stop('fast');
		rmSync(primary!.dataDir, { recursive: true, force: true });
		primary = undefined;

		const dataDir = join(root.root, 'restored-latest');
		const r = await restoreBackup({ backupDir, dataDir, target: 'latest' });
		expect(r).toMatchObject({ backup: { id: backup.id }, reachedTarget: true });
		expect(existsSync(join(dataDir, 'recovery.signal'))).toBe(false);
		const restored = await runCluster(binDir, dataDir);
		running.push(restored);
		expect(await activeBookings(withDatabase(restored.url(), t.name))).toEqual(committed);
		// the restored server is a primary again: it takes writes
		const [{ recovering }] = await queryOnce<{ recovering: boolean }>(restored.url(), 'SELECT pg_is_in_recovery() AS recovering');
		expect(recovering).toBe(false);
		await restored.stop('fast');
	});

	it('R-O02 a restore to a moment between the two bookings has only the first', async () => {
		const dataDir = join(root.root, 'restored-pitr');
		const r = await restoreBackup({ backupDir, dataDir, target: between, archive: false });
		expect(r.reachedTarget).toBe(true);
		const restored = await runCluster(binDir, dataDir);
		running.push(restored);
		expect(await activeBookings(withDatabase(restored.url(), t.name))).toEqual([first]);
		await restored.stop('fast');
	});

	it('R-O02 a moment after the last archived transaction restores everything there is, and says the target was not reached', async () => {
		const dataDir = join(root.root, 'restored-future');
		const r = await restoreBackup({ backupDir, dataDir, target: new Date(Date.now() + 3600_000), archive: false });
		expect(r.reachedTarget).toBe(false);
		const restored = await runCluster(binDir, dataDir);
		running.push(restored);
		expect(await activeBookings(withDatabase(restored.url(), t.name))).toEqual([first, second].sort());
		await restored.stop('fast');
	});

	it('R-O02 a moment before the first backup, or a non-empty target directory, is refused and nothing is written', async () => {
		const dataDir = join(root.root, 'refused');
		await expect(restoreBackup({ backupDir, dataDir, target: new Date('2020-01-01T00:00:00Z') })).rejects.toThrow(/no backup finished before 2020-01-01 09:00:00 JST/);
		expect(existsSync(dataDir)).toBe(false);
		const occupied = join(root.root, 'restored-latest');
		await expect(restoreBackup({ backupDir, dataDir: occupied, target: 'latest' })).rejects.toThrow(BackupError);
		await expect(restoreBackup({ backupDir, dataDir: occupied, target: 'latest' })).rejects.toThrow(/--force/);
	});
});

describe('a backup that cannot be made', () => {
	it('R-O02 a server without WAL archiving is refused with a clear message, and nothing is written', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'mn-nobackup-'));
		try {
			// the test server (archive_mode off), only read here
			await expect(takeBaseBackup({ databaseUrl: inject('databaseUrl'), backupDir: dir })).rejects.toThrow(/WAL archiving is off/);
			expect(readdirSync(join(dir, 'base'))).toEqual([]);
			expect(readBackupStatus(dir).backups).toBe(0);
			expect(existsSync(join(dir, '.lock'))).toBe(false);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
