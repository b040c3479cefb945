import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';

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

/**
 * Runs `work` in one transaction; on a serialization failure or a deadlock runs it again, a
 * bounded number of times with a short random back-off, so two racing bookings both finish
 * instead of one failing for a reason the user cannot act on. Anything else is thrown as is.
 * `work` must not publish anything: the caller publishes after this returns (after commit).
 */
export async function inTransaction<T>(
	ctx: Pick<AppContext, 'db'>,
	work: (t: Transaction) => Promise<T>,
	opts: RetryOptions = {}
): Promise<T> {
	const attempts = opts.attempts ?? 5;
	for (let attempt = 1; ; attempt++) {
		try {
			return await ctx.db.sequelize.transaction((t) => work(t));
		} catch (e) {
			const code = pgCode(e);
			if (!code || !RETRYABLE.has(code) || attempt >= attempts) throw e;
			opts.onRetry?.(attempt, code);
			await sleep(5 + Math.random() * 20 * attempt);
		}
	}
}
