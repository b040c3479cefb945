import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from 'sequelize';
import type { AppContext } from './context.ts';
import type { Config } from './config.ts';

/** The Postgres SQLSTATE of an error thrown through Sequelize or pg, if any. */
export function pgCode(e: unknown): string | undefined {
	const err = e as { parent?: { code?: string }; original?: { code?: string }; code?: unknown };
	const code = err?.parent?.code ?? err?.original?.code ?? err?.code;
	return typeof code === 'string' ? code : undefined;
}

/** serialization_failure and deadlock_detected: the transaction did nothing and may simply run again. */
export const RETRYABLE = new Set(['40001', '40P01']);

export interface RetryOptions {
	attempts?: number;
	/** called before each retry, for tests and metrics */
	onRetry?: (attempt: number, code: string) => void;
}

type SyncConfig = Pick<Config, 'DATABASE_REPLICA_URL' | 'BOOKING_SYNCHRONOUS_COMMIT'>;

/**
 * synchronous_commit for these transactions (R-O02, R-O01): BOOKING_SYNCHRONOUS_COMMIT when set,
 * else remote_apply when a replica is configured — a booking is confirmed only once the standby
 * has applied it, so a failover loses nothing and a read on the replica right after sees it.
 * It takes effect only when the primary lists the standby in synchronous_standby_names.
 */
export function synchronousCommit(config: SyncConfig | undefined): string | null {
	if (!config) return null;
	return config.BOOKING_SYNCHRONOUS_COMMIT ?? (config.DATABASE_REPLICA_URL ? 'remote_apply' : null);
}

/**
 * Runs `attempt` again on a serialization failure or a deadlock, a bounded number of times with
 * a short random back-off, so two racing bookings both finish instead of one failing for a
 * reason the user cannot act on. Anything else is thrown as is.
 */
export async function retrying<T>(run: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
	const attempts = opts.attempts ?? 5;
	for (let attempt = 1; ; attempt++) {
		try {
			return await run();
		} catch (e) {
			const code = pgCode(e);
			if (!code || !RETRYABLE.has(code) || attempt >= attempts) throw e;
			opts.onRetry?.(attempt, code);
			await sleep(5 + Math.random() * 20 * attempt);
		}
	}
}

/**
 * Runs `work` in one transaction, again on a serialization failure or a deadlock (see retrying).
 * `work` must not publish anything: the caller publishes after this returns (after commit).
 */
export async function inTransaction<T>(
	ctx: Pick<AppContext, 'db'> & { config?: SyncConfig },
	work: (t: Transaction) => Promise<T>,
	opts: RetryOptions = {}
): Promise<T> {
	const sync = synchronousCommit(ctx.config);
	return retrying(
		() =>
			ctx.db.sequelize.transaction(async (t) => {
				// a value from the zod enum in config.ts, never user input
				if (sync) await ctx.db.sequelize.query(`SET LOCAL synchronous_commit = ${sync}`, { transaction: t });
				return work(t);
			}),
		opts
	);
}
