/**
 * The streaming replica (R-O01, R-O02): a hot standby of the primary (embedded default's
 * PostgreSQL 18), reads through db.read, bookings committed synchronously (remote_apply), and a
 * failover — the primary crashes, the standby is promoted, nothing committed is lost and the
 * promoted server takes bookings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createDb, type Db } from '../../db/index.ts';
import { readQuery, readWith } from '../../db/read-pool.ts';
import { createStandby, standbyStatus } from '../../db/backup/replica.ts';
import { createTestDatabase, withDatabase, type TestDatabase } from '../harness/database.ts';
import { clusterRoot, initCluster, queryOnce, runCluster, serverBinaries, until, type Cluster } from '../harness/pg-cluster.ts';
import { activeBookings, bookingDesk } from '../harness/drill.ts';

let root: ReturnType<typeof clusterRoot>;
let binDir: string;
let primary: Cluster;
let standby: Cluster;
let t: TestDatabase;
let db: Db;
let primaryUrl: string;
let replicaUrl: string;
let desk: Awaited<ReturnType<typeof bookingDesk>>;
const opened: Db[] = [];

beforeAll(async () => {
	root = clusterRoot('replica');
	binDir = serverBinaries('embedded');
	// The primary waits for the standby only where a transaction asks for it (SET LOCAL in bookings).
	primary = await initCluster(binDir, root.dir('primary'), { synchronous_standby_names: 'replica1', synchronous_commit: 'local' });
	t = await createTestDatabase(primary.url(), 'replica');
	await createStandby({ primaryUrl: primary.url(), primaryDataDir: primary.dataDir, standbyDir: join(root.root, 'standby'), name: 'replica1' });
	standby = await runCluster(binDir, join(root.root, 'standby'), { standby: true });
	primaryUrl = t.url;
	replicaUrl = withDatabase(standby.url(), t.name);
	db = createDb(primaryUrl, { replicaUrl });
	opened.push(db);
	desk = await bookingDesk(db, { DATABASE_REPLICA_URL: replicaUrl });
});
afterAll(async () => {
	for (const d of [t?.db, ...opened]) await d?.close().catch(() => {});
	for (const c of [primary, standby]) await c?.stop('immediate').catch(() => {});
	root?.remove();
});

const streaming = () =>
	queryOnce<{ state: string; sync_state: string }>(primary.url(), `SELECT state, sync_state FROM pg_stat_replication WHERE application_name = 'replica1'`);

describe('streaming replica', () => {
	it('R-O01 the hot standby streams synchronously and a read on it sees a booking the moment it is confirmed', async () => {
		await until('the standby to stream', async () => (await streaming())[0]?.sync_state === 'sync');
		// what a status page shows, read through the app's own pool on the primary
		const [status] = await standbyStatus(db.sequelize);
		expect(status).toMatchObject({ name: 'replica1', state: 'streaming', syncState: 'sync' });
		expect(status.replayLagBytes).toBeGreaterThanOrEqual(0);

		const bn = await desk.book();
		// db.read is the standby (in recovery); remote_apply means the booking is already applied there
		const [{ recovering }] = await readQuery<{ recovering: boolean }>(db, 'SELECT pg_is_in_recovery() AS recovering');
		expect(recovering).toBe(true);
		const rows = await readQuery<{ booking_number: string }>(db, 'SELECT booking_number FROM reservations WHERE booking_number = :bn', { replacements: { bn } });
		expect(rows).toEqual([{ booking_number: bn }]);
		// the models too: the same query, sent to the replica
		expect(db.readModels.Reservation.sequelize).toBe(db.read);
		const viaModel = await readWith(db, (m) => m.Reservation.findAll({ where: { bookingNumber: bn }, attributes: ['bookingNumber', 'status'] }));
		expect(viaModel.map((r) => [r.bookingNumber, r.status])).toEqual([[bn, 'active']]);
		// read-only sessions: a write sent to db.read by mistake fails
		await expect(db.read.query(`UPDATE reservations SET party_size = party_size WHERE booking_number = '${bn}'`)).rejects.toThrow(/read-only/);
	});

	it('R-O02 a booking is confirmed only once the standby has it: with the standby down it waits, and completes when it is back', async () => {
		const asynchronous = await bookingDesk(db, { DATABASE_REPLICA_URL: replicaUrl, BOOKING_SYNCHRONOUS_COMMIT: 'local' });
		await standby.stop('fast');
		// the control: with synchronous_commit=local the same booking does not wait for the standby
		await asynchronous.book();
		let confirmed = false;
		const pending = desk.book().then((bn) => {
			confirmed = true;
			return bn;
		});
		// it waits: its commit sits in Postgres's wait for the synchronous standby (an observed state,
		// not a guess that a commit would have come back within some time)
		await until('the booking to wait for the standby', async () => {
			const [w] = await queryOnce<{ n: number }>(primaryUrl, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'SyncRep'`);
			return w.n > 0;
		});
		expect(confirmed).toBe(false);
		await standby.start();
		const bn = await pending;
		expect((await activeBookings(replicaUrl)).includes(bn)).toBe(true);
	});

	it('R-O01 with the replica unreachable, reads fall back to the primary', async () => {
		const broken = createDb(primaryUrl, { replicaUrl: 'postgres://postgres@127.0.0.1:1/none' });
		opened.push(broken);
		const [{ recovering }] = await readQuery<{ recovering: boolean }>(broken, 'SELECT pg_is_in_recovery() AS recovering');
		expect(recovering).toBe(false);
		expect(await readWith(broken, (m) => m.Reservation.count())).toBeGreaterThan(0);
	});

	it('R-O01 R-O02 the primary crashes, the standby is promoted: nothing committed is lost and it takes new bookings', async () => {
		for (let i = 0; i < 5; i++) await desk.book();
		const committed = await activeBookings(primaryUrl);
		expect(committed).toHaveLength(8);

		await primary.stop('immediate'); // a crash: no shutdown checkpoint, no last WAL switch
		await queryOnce(standby.url(), 'SELECT pg_promote(true, 60)');
		const [{ recovering }] = await queryOnce<{ recovering: boolean }>(standby.url(), 'SELECT pg_is_in_recovery() AS recovering');
		expect(recovering).toBe(false);
		expect(await activeBookings(replicaUrl)).toEqual(committed);

		// Runbook step: the new primary has no standby yet, so it stops waiting for one.
		await queryOnce(standby.url(), 'ALTER SYSTEM RESET synchronous_standby_names');
		await queryOnce(standby.url(), 'SELECT pg_reload_conf()');
		const promoted = createDb(replicaUrl);
		opened.push(promoted);
		const bn = await (await bookingDesk(promoted)).book();
		expect(await activeBookings(replicaUrl)).toEqual([...committed, bn].sort());
	});
});
