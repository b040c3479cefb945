/**
 * A streaming replica (R-O01, R-O02): a hot standby made from a copy of the primary's data
 * directory, fed by streaming replication through a physical replication slot (so the primary
 * keeps every WAL segment the standby has not received yet). For a server on another machine the
 * same is `pg_basebackup -R -S <slot> -C`; this is the variant that needs no client tools, used for
 * the embedded default and by the test harness.
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { copyDataDir, lowLevelBackup } from './base-backup.ts';
import { settingsAsConf } from './archive.ts';
import { chownToServer } from './pg-process.ts';

export interface StandbyOptions {
	/** a superuser (or replication + pg_backup_start) connection to the primary */
	primaryUrl: string;
	/** the primary's data directory on this machine */
	primaryDataDir: string;
	standbyDir: string;
	/** the standby's name: its replication slot, and the name synchronous_standby_names lists */
	name?: string;
}

/** libpq conninfo for primary_conninfo, from a postgres:// URL. */
export function conninfo(url: string, applicationName: string): string {
	const u = new URL(url);
	const q = (v: string) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
	const parts = [`host=${q(u.hostname)}`, `port=${u.port || '5432'}`, `user=${q(decodeURIComponent(u.username) || 'postgres')}`, `application_name=${q(applicationName)}`];
	if (u.password) parts.push(`password=${q(decodeURIComponent(u.password))}`);
	return parts.join(' ');
}

/** Copies the primary into `standbyDir` and configures it as a hot standby (standby.signal). Start it with startPostgres. */
export async function createStandby(opts: StandbyOptions): Promise<{ name: string; standbyDir: string }> {
	const name = opts.name ?? 'replica1';
	if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error('standby name: lower-case letters, digits and _ only');
	const standbyDir = resolve(opts.standbyDir);
	const client = new pg.Client({ connectionString: opts.primaryUrl, application_name: 'mynumber-replica-setup' });
	await client.connect();
	try {
		// Reserve WAL from now on, so the standby can stream everything written during the copy.
		await client.query(
			`SELECT pg_create_physical_replication_slot($1, true) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)`,
			[name]
		);
		const r = await lowLevelBackup(client, `standby ${name}`, () => copyDataDir(opts.primaryDataDir, standbyDir), false);
		writeFileSync(join(standbyDir, 'backup_label'), r.labelfile);
	} catch (e) {
		rmSync(standbyDir, { recursive: true, force: true });
		throw e;
	} finally {
		await client.end().catch(() => {});
	}
	appendFileSync(
		join(standbyDir, 'postgresql.auto.conf'),
		`\n# standby of the primary (db/backup/replica.ts)\n${settingsAsConf({
			primary_conninfo: conninfo(opts.primaryUrl, name),
			primary_slot_name: name,
			hot_standby: 'on'
		})}\n`
	);
	writeFileSync(join(standbyDir, 'standby.signal'), '');
	chownToServer(standbyDir);
	return { name, standbyDir };
}

export interface StandbyStatus {
	name: string;
	/** streaming, catchup, … */
	state: string;
	/** sync: bookings wait for it; async / potential / quorum otherwise */
	syncState: string;
	/** how far behind it applies, in seconds (null when idle: nothing to apply) */
	replayLagSeconds: number | null;
	/** bytes of WAL written on the primary and not yet applied there */
	replayLagBytes: number;
}

/** For a status page (R-O06) and runbooks: the standbys connected to this primary, as the primary sees them. */
export async function standbyStatus(client: { query: (sql: string) => Promise<unknown> }): Promise<StandbyStatus[]> {
	const r = (await client.query(
		`SELECT application_name AS name, state, sync_state AS "syncState",
		        EXTRACT(EPOCH FROM replay_lag)::float8 AS "replayLagSeconds",
		        pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS "replayLagBytes"
		   FROM pg_stat_replication ORDER BY application_name`
	)) as { rows?: StandbyStatus[] } | [StandbyStatus[], unknown];
	return Array.isArray(r) ? r[0] : (r.rows ?? []);
}

