import { PgBoss } from 'pg-boss';
import type { AppContext } from '../src/lib/server/context.ts';
import { expireHolds } from '../src/lib/server/booking/holds.ts';
import { regenerateAll } from '../src/lib/server/scheduling/regenerate.ts';
import { deliverDue } from '../src/lib/server/mail/outbox.ts';
import { queueReminders } from '../src/lib/server/mail/remind.ts';
import type { MailTransport } from '../src/lib/server/mail/transport.ts';
import { markNoShows } from '../src/lib/server/noshow/mark.ts';
import { runRetention } from '../src/lib/server/ops/retention.ts';
import { backupDue, runScheduledBackup } from '../db/backup/index.ts';

/** Job names are constants (STYLE habit 10): a schedule and its worker can never disagree. */
export const JOBS = {
	/** R-C15: release holds past their time, so calendars show the places free again */
	expireHolds: 'holds-expire',
	/** R-S06/R-S07: make the slots of the day that has just entered each location's window */
	regenerateSlots: 'slots-regenerate',
	/** R-C09/R-C10/R-C02: send due mail outbox rows (every minute, and at once after a commit that wrote some) */
	deliverOutbox: 'outbox-deliver',
	/** R-C11: queue reminder mails for visits within city_settings.reminder_days */
	remindReservations: 'reservations-remind',
	/** R-S13: bookings nobody came to by closing time become 未来庁; follow-up mails are queued */
	markNoShows: 'no-shows-mark',
	/** R-O02: the daily base backup and retention (embedded database, or BACKUP_DIR set on this node) */
	backup: 'db-backup',
	/** R-O09: the city's retention rules, applied daily */
	purgeRetention: 'retention-purge'
} as const;

type JobName = (typeof JOBS)[keyof typeof JOBS];

/** Outbox rows one delivery job handles before handing over to the next. */
const OUTBOX_BATCH = 100;

const SCHEMA = 'pgboss';

/**
 * Issue 10: pg-boss's schema is installed and migrated by the owner of the database, at boot and
 * before db/roles.sql grants the runtime role its tables. The instance started here only does
 * that, then stops; it never works a job.
 */
export async function installJobSchema(ownerUrl: string): Promise<void> {
	const boss = new PgBoss({ connectionString: ownerUrl, schema: SCHEMA, max: 1, migrate: true, supervise: false, schedule: false, application_name: 'mynumber-jobs-install' });
	boss.on('error', () => undefined);
	await boss.start();
	await boss.stop({ graceful: false, timeout: 1_000 });
}

/**
 * pg-boss on the app's own Postgres: each scheduled run happens once across all nodes. Every job
 * goes through `run`, which logs its duration and reports failures. Correctness never depends on
 * the timing here: bookings also release expired holds on the slots they lock.
 *
 * `databaseUrl` is the runtime role (issue 10): the schema is already there (installJobSchema), so
 * this instance does not migrate and does not rebuild indexes (DDL the role may not run); it still
 * supervises (expiry, retention of jobs). `ownerUrl` (boot always passes it) serves only the base
 * backup, which needs the owner (or a superuser) for pg_basebackup.
 */
export async function startJobs(ctx: AppContext, databaseUrl: string, opts: { mail?: MailTransport; backups?: boolean; ownerUrl?: string } = {}) {
	// without ownerUrl (use-case tests), databaseUrl is the owner and installs the schema itself
	const isOwner = opts.ownerUrl === undefined;
	const boss = new PgBoss({ connectionString: databaseUrl, schema: SCHEMA, max: 2, application_name: 'mynumber-jobs', migrate: isOwner, reindex: isOwner });
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

	// Mail jobs run only where mail can be sent (boot passes the transport).
	const names = Object.values(JOBS).filter((n) => opts.mail || (n !== JOBS.deliverOutbox && n !== JOBS.remindReservations));
	// 'short': at most one delivery job waits at a time, so a burst of kicks and the schedule
	// coalesce into one run; several may run at once on different nodes (rows are claimed with SKIP LOCKED).
	for (const name of names) await boss.createQueue(name, name === JOBS.deliverOutbox ? { policy: 'short' } : {});
	await boss.schedule(JOBS.expireHolds, '* * * * *');
	await boss.schedule(JOBS.regenerateSlots, '5 0 * * *', null, { tz: 'Asia/Tokyo' });
	await boss.schedule(JOBS.markNoShows, '*/15 * * * *', null, { tz: 'Asia/Tokyo' });
	await boss.schedule(JOBS.purgeRetention, '15 3 * * *', null, { tz: 'Asia/Tokyo' });
	await boss.work(JOBS.purgeRetention, () => run(JOBS.purgeRetention, async () => ({ ...(await runRetention(ctx, { dryRun: false, actor: { type: 'system', id: null } })) })));
	await boss.work(JOBS.markNoShows, () => run(JOBS.markNoShows, async () => ({ ...(await markNoShows(ctx)) })));
	await boss.work(JOBS.expireHolds, () => run(JOBS.expireHolds, async () => ({ released: await expireHolds(ctx) })));
	// R-O02: boot turns this on for the embedded database, or when BACKUP_DIR is set on this node.
	if (opts.backups) {
		// a large database can take a while: the run may last up to 6 hours before pg-boss calls it expired
		await boss.schedule(JOBS.backup, ctx.config.BACKUP_CRON, null, { tz: 'Asia/Tokyo', expireInSeconds: 6 * 3600, retryLimit: 1 });
		await boss.work(JOBS.backup, () => run(JOBS.backup, () => runScheduledBackup(ctx.config, opts.ownerUrl ?? databaseUrl)));
		// no backup yet (first start) or the last one missed: one now; the key keeps restarts from queueing several
		if (backupDue(ctx.config)) await boss.send(JOBS.backup, {}, { singletonKey: 'due', expireInSeconds: 6 * 3600, retryLimit: 1 });
	}
	await boss.work(JOBS.regenerateSlots, () =>
		run(JOBS.regenerateSlots, async () => {
			const reports = await regenerateAll(ctx);
			return { locations: reports.length, created: reports.reduce((n, r) => n + r.created, 0) };
		})
	);

	let kickTimer: NodeJS.Timeout | undefined;
	const mail = opts.mail;
	if (mail) {
		await boss.schedule(JOBS.deliverOutbox, '* * * * *');
		await boss.schedule(JOBS.remindReservations, '7 * * * *', null, { tz: 'Asia/Tokyo' });
		await boss.work(JOBS.deliverOutbox, () =>
			run(JOBS.deliverOutbox, async () => {
				const report = await deliverDue(ctx, mail, { limit: OUTBOX_BATCH });
				// A full batch means more may be waiting: go on in a new job rather than hold this one.
				if (report.sent + report.skipped + report.retried + report.failed >= OUTBOX_BATCH) kick();
				return { ...report };
			})
		);
		await boss.work(JOBS.remindReservations, () =>
			run(JOBS.remindReservations, async () => {
				const queued = await queueReminders(ctx);
				if (queued) kick();
				return { queued };
			})
		);
	}
	/** Debounced: the commits of one burst (200 ms) become one job (a job is a few statements of its own). */
	function kick() {
		if (!mail || kickTimer) return;
		kickTimer = setTimeout(() => {
			kickTimer = undefined;
			boss.send(JOBS.deliverOutbox, {}).catch((err) => ctx.log.error({ err }, 'outbox kick failed'));
		}, 200);
		kickTimer.unref();
	}

	return {
		boss,
		/** Asks for a delivery run now (bound to ctx.kickOutbox by server/boot.ts). */
		kickOutbox: kick,
		/** Lets a running job finish (bounded) before the pool closes. */
		stop: () => {
			clearTimeout(kickTimer);
			return boss.stop({ graceful: true, timeout: 5_000 });
		}
	};
}
