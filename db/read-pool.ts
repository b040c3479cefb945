/**
 * Reads that may go to a hot standby (DATABASE_REPLICA_URL, R-O01): read-only lists and searches
 * that tolerate a fraction of a second of replication lag. Writes and read-modify-write use cases
 * stay on the primary (db.sequelize). Without a replica, db.read is the primary itself.
 */
import { QueryTypes, Sequelize, type Model, type ModelStatic, type QueryOptions } from 'sequelize';
import pg from 'pg';

export function openReadPool(url: string, opts: { poolMax?: number; logging?: false | ((sql: string) => void) } = {}): Sequelize {
	return new Sequelize(url, {
		dialect: 'postgres',
		dialectModule: pg,
		logging: opts.logging ?? false,
		timezone: '+09:00',
		pool: { max: opts.poolMax ?? 10, min: 0, idle: 10_000, acquire: 5_000 },
		// Every session read-only: a write sent here by mistake fails loudly, replica or not.
		dialectOptions: { options: '-c default_transaction_read_only=on', connectionTimeoutMillis: 3_000 },
		define: { underscored: true }
	});
}

/** The replica is unreachable, shutting down, or cancelled the query for a recovery conflict. */
export function isReplicaUnavailable(e: unknown): boolean {
	const err = e as { name?: string; message?: string; parent?: { code?: string }; original?: { code?: string } };
	const code = err?.parent?.code ?? err?.original?.code;
	if (code && ['57P01', '57P02', '57P03', '40001', '08000', '08003', '08006'].includes(code)) return true;
	if (err?.name?.startsWith('SequelizeConnection') || err?.name === 'SequelizeHostNotFoundError') return true;
	return /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect/i.test(err?.message ?? '');
}

/**
 * A read-only SELECT on the replica, falling back to the primary when the replica cannot answer,
 * so losing the replica never stops a list or a search.
 */
export async function readQuery<T extends object>(
	db: { sequelize: Sequelize; read: Sequelize },
	sql: string,
	options: Omit<QueryOptions, 'type' | 'transaction'> = {}
): Promise<T[]> {
	if (db.read !== db.sequelize) {
		try {
			return await db.read.query<T>(sql, { ...options, type: QueryTypes.SELECT });
		} catch (e) {
			if (!isReplicaUnavailable(e)) throw e;
		}
	}
	return db.sequelize.query<T>(sql, { ...options, type: QueryTypes.SELECT });
}

/**
 * The same models bound to another Sequelize (the read pool): subclasses with the same attributes
 * and options, so `readModels.CardRecord.findAndCountAll(…)` is the query `models.CardRecord`
 * would run, sent to the replica. Instances are still `instanceof` the original class.
 */
export function bindModels<M extends Record<string, unknown>>(models: M, sequelize: Sequelize): M {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(models)) {
		const original = value as unknown as ModelStatic<Model> & { options: Record<string, unknown> };
		const Bound = class extends (original as unknown as new () => Model) {} as unknown as ModelStatic<Model>;
		Object.defineProperty(Bound, 'name', { value: original.name });
		const { sequelize: _primary, ...options } = original.options;
		(Bound as unknown as { init: (a: unknown, o: unknown) => void }).init(original.getAttributes(), { ...options, sequelize });
		out[key] = Bound;
	}
	return out as M;
}

/**
 * A model-based read on the replica with the same fallback as readQuery:
 * `readWith(ctx.db, (m) => m.CardRecord.findAndCountAll({ where }))`.
 */
export async function readWith<M, T>(db: { models: M; readModels: M }, work: (models: M) => Promise<T>): Promise<T> {
	if (db.readModels !== db.models) {
		try {
			return await work(db.readModels);
		} catch (e) {
			if (!isReplicaUnavailable(e)) throw e;
		}
	}
	return work(db.models);
}

