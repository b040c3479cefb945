import { PgBoss } from 'pg-boss';
import type { AppContext } from '../src/lib/server/context.ts';
import { expireHolds } from '../src/lib/server/booking/holds.ts';
import { regenerateAll } from '../src/lib/server/scheduling/regenerate.ts';
import { backupDue, runScheduledBackup } from '../db/backup/index.ts';

/** Job names are constants (STYLE habit 10): a schedule and its worker can never disagree. */
export const JOBS = {
	/** R-C15: release holds past their time, so calendars show the places free again */
	expireHolds: 'holds-expire',
	/** R-S06/R-S07: make the slots of the day that has just entered each location's window */
	regenerateSlots: 'slots-regenerate',
	/** R-O02: the daily base backup and retention (embedded database, or BACKUP_DIR set on this node) */
	backup: 'db-backup'
} as const;

type JobName = (typeof JOBS)[keyof typeof JOBS];

/**
 * pg-boss on the app's own Postgres: each scheduled run happens once across all nodes. Every job
 * goes through `run`, which logs its duration and reports failures. Correctness never depends on
 * the timing here: bookings also release expired holds on the slots they lock.
 */
export async function startJobs(ctx: AppContext, databaseUrl: string, opts: { backups?: boolean } = {}) {
	const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max: 2, application_name: 'mynumber-jobs' });
	boss.on('error', (err) => ctx.log.error({ err }, 'job queue error'));
	await boss.start();

	const run = async (name: JobName, work: () => Promise<Record<string, unknown>>) => {
		const started = performance.now();
		try {
			const result = await work();
			ctx.log.info({ job: name, ms: Math.round(performance.now() - started), ...result }, 'job done');
		} catch (err) {
			ctx.log.error({ err, job: name, ms: Math.round(performance.now() - started) }, 'job failed');
			throw err;
		}
	};

	for (const name of Object.values(JOBS)) await boss.createQueue(name);
	await boss.schedule(JOBS.expireHolds, '* * * * *');
	await boss.schedule(JOBS.regenerateSlots, '5 0 * * *', null, { tz: 'Asia/Tokyo' });
	await boss.work(JOBS.expireHolds, () => run(JOBS.expireHolds, async () => ({ released: await expireHolds(ctx) })));
	// R-O02: boot turns this on for the embedded database, or when BACKUP_DIR is set on this node.
	if (opts.backups) {
		// a large database can take a while: the run may last up to 6 hours before pg-boss calls it expired
		await boss.schedule(JOBS.backup, ctx.config.BACKUP_CRON, null, { tz: 'Asia/Tokyo', expireInSeconds: 6 * 3600, retryLimit: 1 });
		await boss.work(JOBS.backup, () => run(JOBS.backup, () => runScheduledBackup(ctx.config, databaseUrl)));
		// no backup yet (first start) or the last one missed: one now; the key keeps restarts from queueing several
		if (backupDue(ctx.config)) await boss.send(JOBS.backup, {}, { singletonKey: 'due', expireInSeconds: 6 * 3600, retryLimit: 1 });
	}
	await boss.work(JOBS.regenerateSlots, () =>
		run(JOBS.regenerateSlots, async () => {
			const reports = await regenerateAll(ctx);
			return { locations: reports.length, created: reports.reduce((n, r) => n + r.created, 0) };
		})
	);

	return {
		boss,
		/** Lets a running job finish (bounded) before the pool closes. */
		stop: () => boss.stop({ graceful: true, timeout: 5_000 })
	};
}
