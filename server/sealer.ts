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
	/**
	 * Resolves with the rows sealed by the first pass that starts after this call: every row
	 * committed before the call is then sealed, unless another node was sealing at that moment (the
	 * pass gives way and that node seals them). Rejects when the pass fails. For tests, instead of sleeping.
	 */
	nextPass(): Promise<number>;
	/** stops ticking and waits for a pass under way */
	stop(): Promise<void>;
}

export function startSealer(db: Pick<Db, 'sequelize'>, log: Pick<Logger, 'warn' | 'debug'>, opts: { intervalMs: number }): Sealer {
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let running: Promise<void> | null = null;
	let failing = false;
	type Waiter = { resolve: (n: number) => void; reject: (e: Error) => void };
	let waiting: Waiter[] = [];

	const tick = () => {
		timer = undefined;
		if (stopped || running) return;
		const these = waiting;
		waiting = [];
		running = sealPending(db)
			.then((n) => {
				if (failing) log.warn('audit sealer: sealing again');
				failing = false;
				if (n > 0) log.debug({ sealed: n }, 'audit rows sealed');
				for (const w of these) w.resolve(n);
			})
			.catch((err: Error) => {
				// logged once per outage: the message is Postgres's, never row contents
				if (!failing) log.warn({ err: err.message }, 'audit sealer: pass failed; retrying');
				failing = true;
				for (const w of these) w.reject(err);
			})
			.finally(() => {
				running = null;
				schedule(waiting.length ? 0 : opts.intervalMs);
			});
	};
	const schedule = (ms: number) => {
		if (stopped || timer) return;
		timer = setTimeout(tick, ms);
		timer.unref();
	};
	schedule(0);

	const poke = () => {
		if (stopped || running) return;
		if (timer) clearTimeout(timer);
		timer = undefined;
		schedule(0);
	};

	return {
		poke,
		nextPass() {
			if (stopped) return Promise.reject(new Error('audit sealer stopped'));
			const p = new Promise<number>((resolve, reject) => waiting.push({ resolve, reject }));
			poke();
			return p;
		},
		async stop() {
			stopped = true;
			for (const w of waiting) w.reject(new Error('audit sealer stopped'));
			waiting = [];
			if (timer) clearTimeout(timer);
			timer = undefined;
			await running;
		}
	};
}
