/**
 * Reads a list in batches from one consistent snapshot: the count printed on page 1 and the rows
 * that follow come from the same moment, however long the download takes, and a large range is
 * never held in memory at once (a server-side cursor, BATCH rows per round trip).
 */
import { QueryTypes, Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { AppError } from '../errors.ts';

export const BATCH = 500;
const MAX_OPEN_MS = 15 * 60_000;
/**
 * A download holds one pooled connection while it streams. Bookings share that pool, so a node
 * serves at most this many downloads at once and asks the rest to come back (429).
 */
export const MAX_OPEN_SNAPSHOTS = 3;
let open = 0;

export interface ListSnapshot<T> {
	count: number;
	batches(): AsyncGenerator<T[]>;
	/** Ends the transaction; safe to call more than once (the body may end, fail or be cancelled). */
	close(): Promise<void>;
}

export async function openSnapshot<T extends object>(
	db: Db,
	q: { countSql: string; selectSql: string; replacements: Record<string, unknown> },
	batch = BATCH
): Promise<ListSnapshot<T>> {
	if (open >= MAX_OPEN_SNAPSHOTS) {
		throw new AppError('rate_limited', '帳票の出力が混み合っています。しばらくしてからもう一度お試しください。', { extra: { retryAfter: 10 } });
	}
	open++;
	let t: Transaction;
	try {
		t = await db.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ });
	} catch (e) {
		open--;
		throw e;
	}
	let closed = false;
	// A body nobody reads nor cancels must not hold a pooled connection for ever.
	const guard = setTimeout(() => void close(), MAX_OPEN_MS);
	guard.unref();
	const close = async () => {
		if (closed) return;
		closed = true;
		open--;
		clearTimeout(guard);
		await t.rollback().catch(() => {});
	};
	try {
		await db.sequelize.query('SET TRANSACTION READ ONLY', { transaction: t });
		const [{ n }] = await db.sequelize.query<{ n: number }>(q.countSql, { replacements: q.replacements, type: QueryTypes.SELECT, transaction: t });
		await db.sequelize.query(`DECLARE list_rows NO SCROLL CURSOR FOR ${q.selectSql}`, { replacements: q.replacements, transaction: t });
		return {
			count: n,
			close,
			async *batches() {
				try {
					while (!closed) {
						const rows = await db.sequelize.query<T>(`FETCH ${batch} FROM list_rows`, { type: QueryTypes.SELECT, transaction: t });
						if (rows.length) yield rows;
						if (rows.length < batch) break;
					}
				} finally {
					await close();
				}
			}
		};
	} catch (e) {
		await close();
		throw e;
	}
}
