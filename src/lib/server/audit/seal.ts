/**
 * The 操作ログ sealer (R-O03, issue 17): rows are written unsealed and chained after their commit
 * by audit_log_seal_pending (db/functions/20-audit-seal.sql, which explains the order). One pass is
 * one transaction of at most SEAL_BATCH rows; a pass that comes back full is followed by another.
 */
import { QueryTypes } from 'sequelize';
import type { Db } from '../../../../db/index.ts';

export const SEAL_BATCH = 2000;

/** One pass. The rows sealed, or -1 when another sealer (another node) is at work and `wait` is false. */
export async function sealPass(db: Pick<Db, 'sequelize'>, opts: { wait?: boolean; limit?: number } = {}): Promise<number> {
	const [r] = await db.sequelize.query<{ n: number }>(`SELECT audit_log_seal_pending(:limit, :wait) AS n`, {
		replacements: { limit: opts.limit ?? SEAL_BATCH, wait: opts.wait ?? false },
		type: QueryTypes.SELECT
	});
	return r.n;
}

/** What the worker runs on each tick: passes until nothing is left or another node seals. */
export async function sealPending(db: Pick<Db, 'sequelize'>): Promise<number> {
	let total = 0;
	for (;;) {
		const n = await sealPass(db);
		if (n < 0) return total;
		total += n;
		if (n < SEAL_BATCH) return total;
	}
}

/**
 * Seals every row committed before the call, waiting for a sealer at work elsewhere: for tests that
 * read hashes right after writing, and for the CSV export, which lists sealed rows only.
 */
export async function sealNow(db: Pick<Db, 'sequelize'>): Promise<number> {
	let total = 0;
	for (;;) {
		const n = await sealPass(db, { wait: true });
		total += n;
		if (n < SEAL_BATCH) return total;
	}
}
