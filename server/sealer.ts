/**
 * The 操作ログ sealer worker (R-O03, issue 17). Every node runs one; each tick calls the sealer
 * function, whose advisory lock lets exactly one node seal at a time (the others' ticks return at
 * once), so a node that stops or dies leaves the work to the next tick of any other. A pass is one
 * transaction: a node killed half-way leaves nothing half-sealed.
 *
 * Wake-up is a short poll (AUDIT_SEAL_INTERVAL_MS, 250 ms by default; the check when nothing waits is
 * one index probe). LISTEN/NOTIFY was not used: a NOTIFY sent by the writing transaction takes a
 * database-wide lock at commit in Postgres, the very queue this replaces.
 * It runs as the runtime role: the function is SECURITY DEFINER and the only thing that role may do
 * to the log besides SELECT and INSERT.
 */
import type { Db } from '../db/index.ts';
import type { Logger } from '../src/lib/server/log.ts';
import { sealPending } from '../src/lib/server/audit/seal.ts';

export interface Sealer {
	/** seal soon, without waiting for the next tick */
	poke(): void;
	/** stops ticking and waits for a pass under way */
	stop(): Promise<void>;
}

export function startSealer(db: Pick<Db, 'sequelize'>, log: Pick<Logger, 'warn' | 'debug'>, opts: { intervalMs: number }): Sealer {
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<void> | null = null;
	let failing = false;

	const tick = () => {
		timer = undefined;
		if (stopped || running) return;
		running = sealPending(db)
			.then((n) => {
				if (failing) log.warn('audit sealer: sealing again');
				failing = false;
				if (n > 0) log.debug({ sealed: n }, 'audit rows sealed');
			})
			.catch((err: Error) => {
				// logged once per outage: the message is Postgres's, never row contents
				if (!failing) log.warn({ err: err.message }, 'audit sealer: pass failed; retrying');
				failing = true;
			})
			.finally(() => {
				running = null;
				schedule(opts.intervalMs);
			});
	};
	const schedule = (ms: number) => {
		if (stopped || timer) return;
		timer = setTimeout(tick, ms);
		timer.unref();
	};
	schedule(0);

	return {
		poke() {
			if (stopped || running) return;
			if (timer) clearTimeout(timer);
			timer = undefined;
			schedule(0);
		},
		async stop() {
			stopped = true;
			if (timer) clearTimeout(timer);
			timer = undefined;
			await running;
		}
	};
}
