/**
 * The embedded default end to end (R-O02): the embedded PostgreSQL started as `npm start` starts
 * it (WAL archiving flags), `npm run db:backup` against the running server, the daily pg-boss
 * job, then `npm run db:restore -- --latest` after the server is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedPostgres } from '../../server/dev/embedded-postgres.ts';
import { createDb, type Db } from '../../db/index.ts';
import { runMigrations } from '../../db/migrate.ts';
import { embeddedArchiveFlags, readBackupStatus } from '../../db/backup/index.ts';
import { JOBS, startJobs } from '../../server/jobs.ts';
import { testContext } from '../harness/context.ts';
import { parseConfig } from '../../src/lib/server/config.ts';
import { activeBookings, bookingDesk } from '../harness/drill.ts';
import { clusterRoot } from '../harness/pg-cluster.ts';

const run = promisify(execFile);
let tmp: ReturnType<typeof clusterRoot>;
let root: string;
let env: Record<string, string>;
let config: ReturnType<typeof parseConfig>;
const cli = (...args: string[]) =>
	run('node_modules/.bin/node', ['db/backup/cli.ts', ...args], { env: { ...process.env, ...env, DATABASE_URL: '' } }).then(
		(r) => ({ code: 0, out: r.stdout + r.stderr }),
		(e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr })
	);

let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let db: Db | undefined;

beforeAll(async () => {
	// a temp directory the server's OS user may enter (as root, Postgres runs as "postgres")
	tmp = clusterRoot('embedded-backup');
	root = tmp.root;
	env = { EMBEDDED_PG_DIR: join(root, 'pg'), BACKUP_DIR: join(root, 'backups'), LOG_LEVEL: 'silent' };
	config = parseConfig(env);
	server = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, 'mynumber', { postgresFlags: embeddedArchiveFlags(config) });
	db = createDb(server.url);
	await runMigrations(db.sequelize);
});
afterAll(async () => {
	await db?.close().catch(() => {});
	await server?.stop().catch(() => {});
	tmp?.remove();
});

describe('embedded default', () => {
	it('R-O02 npm run db:backup and the daily job back up the running embedded database; db:restore --latest brings back every booking', async () => {
		const desk = await bookingDesk(db!);
		const bookings = [await desk.book()];

		const manual = await cli('backup');
		expect(manual.out).toMatch(/バックアップ完了 \(backup done\): \d{8}T\d{6}Z {2}copy/);
		expect(manual.code).toBe(0);
		bookings.push(await desk.book());

		// the daily job, as boot starts it for the embedded database, run now instead of at 02:30
		const { ctx } = testContext(db!, { config: env });
		const jobs = await startJobs(ctx, server!.url, { backups: true });
		try {
			expect((await jobs.boss.getSchedules()).find((s) => s.name === JOBS.backup)).toMatchObject({ cron: '30 2 * * *', options: { tz: 'Asia/Tokyo' } });
			await jobs.boss.send(JOBS.backup, {});
			const deadline = Date.now() + 30_000;
			while (readBackupStatus(config.BACKUP_DIR!).backups < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		} finally {
			await jobs.stop();
		}
		const status = readBackupStatus(config.BACKUP_DIR!);
		expect(status.backups).toBe(2);
		expect(status.lastBackup).toMatchObject({ method: 'copy', serverMajor: 18 });
		expect(status.lastBackup!.sizeBytes).toBeGreaterThan(1_000_000);
		bookings.push(await desk.book());
		expect(await activeBookings(server!.url)).toEqual(bookings.sort());

		await db!.close();
		db = undefined;
		await server!.stop();
		server = undefined;

		const refused = await cli('restore', '--latest');
		expect(refused.code).toBe(1);
		expect(refused.out).toMatch(/--force/);

		const restored = await cli('restore', '--latest', '--force');
		expect(restored.out).toMatch(/復元完了 \(restored\)/);
		expect(restored.code).toBe(0);
		expect(readdirSync(root).some((n) => n.startsWith('pg.before-restore-'))).toBe(true);
		expect(existsSync(join(config.EMBEDDED_PG_DIR, 'recovery.signal'))).toBe(false);

		server = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, 'mynumber', { postgresFlags: embeddedArchiveFlags(config) });
		expect(await activeBookings(server.url)).toEqual(bookings);
	});

	it('R-O02 the restored database goes on from a new timeline in the same archive: a second restore has the bookings made after the first', async () => {
		// the promotion's timeline history reached the archive, so later restores follow the new timeline
		expect(existsSync(join(config.BACKUP_DIR!, 'wal', '00000002.history.gz'))).toBe(true);
		db = createDb(server!.url);
		const bookings = await activeBookings(server!.url);
		bookings.push(await (await bookingDesk(db)).book());
		await db.close();
		db = undefined;
		await server!.stop();
		server = undefined;

		const again = await cli('restore', '--latest', '--force');
		expect(again.out).toMatch(/復元完了 \(restored\)/);
		server = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, 'mynumber', { postgresFlags: embeddedArchiveFlags(config) });
		expect(await activeBookings(server.url)).toEqual(bookings.sort());
	});
});
