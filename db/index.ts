import { Sequelize } from 'sequelize';
import pg from 'pg';
import { Location } from './models/location.ts';
import { Slot } from './models/slot.ts';
import { CardRecord } from './models/card-record.ts';
import { StaffUser, StaffSession } from './models/staff.ts';
import { AuditLog } from './models/audit-log.ts';
import { Purpose } from './models/purpose.ts';
import { LocationSchedule } from './models/location-schedule.ts';
import { CitySettings } from './models/city-settings.ts';
import { Reservation, ReservationSlot, ReservationPerson } from './models/reservation.ts';
import { CardStatusHistory } from './models/card-status-history.ts';
import { Hold } from './models/hold.ts';
import { Outbox } from './models/outbox.ts';
import { bindModels, openReadPool } from './read-pool.ts';

// DATE columns ("YYYY-MM-DD") stay strings: a calendar date in Tokyo must never be shifted by the process's zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);
// bigint ids and versions arrive as strings; counts we compute with are int4 already.

export const models = {
	Location,
	Slot,
	CardRecord,
	StaffUser,
	StaffSession,
	AuditLog,
	Purpose,
	LocationSchedule,
	CitySettings,
	Reservation,
	ReservationSlot,
	ReservationPerson,
	CardStatusHistory,
	Hold,
	Outbox
};
export type Models = typeof models;

export interface Db {
	sequelize: Sequelize;
	/** read-only lists and searches: the hot standby when DATABASE_REPLICA_URL is set, else the primary (see db/read-pool.ts) */
	read: Sequelize;
	models: Models;
	/** the models bound to db.read (the same objects as `models` without a replica) */
	readModels: Models;
	/**
	 * One named (prepared) statement on a connection of the primary's pool, without the ORM: the
	 * booking's hot path (issue 11). The statement runs on its own (autocommit), so it is one
	 * transaction; Postgres parses and plans it once per connection.
	 */
	prepared<R>(name: string, text: string, values: unknown[]): Promise<R[]>;
	/**
	 * One named statement on a small pool of its own on the primary, for the live path's read after
	 * a commit (issue 11): at 9:00 dozens of requests queue for the main pool, and a push waiting
	 * behind them would leave every screen that much behind. Opened at its first use.
	 */
	live<R>(name: string, text: string, values: unknown[]): Promise<R[]>;
	close(): Promise<void>;
}

export interface DbOptions {
	poolMax?: number;
	/** connections of db.live (default 2) */
	livePoolMax?: number;
	/** DATABASE_REPLICA_URL: opens db.read on the hot standby */
	replicaUrl?: string;
	logging?: false | ((sql: string) => void);
}

/**
 * Opens the pool and binds the models. Called once per process (server/ or the test harness);
 * the SvelteKit bundle reaches the same instance through the app context, never by importing this twice.
 */
export function createDb(url: string, opts: DbOptions = {}): Db {
	const sequelize = new Sequelize(url, {
		dialect: 'postgres',
		dialectModule: pg,
		logging: opts.logging ?? false,
		timezone: '+09:00',
		pool: { max: opts.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
		define: { underscored: true }
	});
	for (const m of Object.values(models)) m.initModel(sequelize);
	const read = opts.replicaUrl ? openReadPool(opts.replicaUrl, { poolMax: opts.poolMax, logging: opts.logging }) : sequelize;
	let livePool: pg.Pool | null = null;
	return {
		sequelize,
		read,
		models,
		readModels: read === sequelize ? models : bindModels(models, read),
		prepared: (name, text, values) => preparedOn(sequelize, name, text, values),
		live: async <R>(name: string, text: string, values: unknown[]) => {
			if (!livePool) {
				livePool = new pg.Pool({ connectionString: url, max: opts.livePoolMax ?? 2, idleTimeoutMillis: 10_000 });
				// an idle connection the server dropped (a restart): the next read opens a new one
				livePool.on('error', () => undefined);
			}
			return (await livePool.query({ name, text, values })).rows as R[];
		},
		close: async () => {
			await sequelize.close();
			if (read !== sequelize) await read.close();
			await livePool?.end();
		}
	};
}

type PoolOf = { connectionManager: { getConnection(o: { type: 'write' }): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void> } };

export async function preparedOn<R>(sequelize: Sequelize, name: string, text: string, values: unknown[]): Promise<R[]> {
	const pool = (sequelize as unknown as PoolOf).connectionManager;
	const conn = await pool.getConnection({ type: 'write' });
	try {
		return (await conn.query({ name, text, values })).rows as R[];
	} finally {
		await pool.releaseConnection(conn);
	}
}
