/**
 * Per-key throttle for bursts (DESIGN consistency rules): changes are collected per key and
 * flushed at most once per interval. The first change after a quiet period goes out at once (on
 * the next turn of the event loop, so changes made in the same turn still share its batch): a
 * lone change is not delayed. A flush reads the latest state, so a burst of 50 changes to one
 * slot becomes one push carrying the newest state.
 */
export function createCoalescer(intervalMs: number, flush: (key: string, items: Set<string>) => Promise<void>, onError: (e: unknown) => void) {
	const pending = new Map<string, Set<string>>();
	const lastFlush = new Map<string, number>();
	const timers = new Map<string, { cancel(): void }>();
	const running = new Set<Promise<void>>();

	function run(key: string) {
		timers.delete(key);
		const items = pending.get(key);
		if (!items) return;
		pending.delete(key);
		lastFlush.set(key, Date.now());
		const p = flush(key, items).catch(onError).finally(() => running.delete(p));
		running.add(p);
	}

	function schedule(key: string, wait: number) {
		if (wait <= 0) {
			// setImmediate, not setTimeout(0): a timer waits at least 1 ms.
			const t = setImmediate(run, key);
			timers.set(key, { cancel: () => clearImmediate(t) });
		} else {
			const t = setTimeout(run, wait, key);
			timers.set(key, { cancel: () => clearTimeout(t) });
		}
	}

	return {
		add(key: string, items: Iterable<string>) {
			let set = pending.get(key);
			if (!set) pending.set(key, (set = new Set<string>()));
			for (const i of items) set.add(i);
			if (timers.has(key)) return;
			schedule(key, (lastFlush.get(key) ?? -Infinity) + intervalMs - Date.now());
		},
		/** Sends whatever is pending now and waits for in-flight flushes (graceful shutdown). */
		async drain() {
			for (const [key, t] of timers) {
				t.cancel();
				run(key);
			}
			await Promise.allSettled([...running]);
		}
	};
}
