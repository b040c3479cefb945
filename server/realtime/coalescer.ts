/**
 * Per-key throttle for bursts (DESIGN consistency rules): changes are collected per key and
 * flushed at most once per interval; the first change after a quiet period goes out on the next
 * tick, so a lone change is not delayed. A flush reads the latest state, so a burst of 50 changes
 * to one slot becomes one push carrying the newest state.
 */
export function createCoalescer(intervalMs: number, flush: (key: string, items: Set<string>) => Promise<void>, onError: (e: unknown) => void) {
	const pending = new Map<string, Set<string>>();
	const lastFlush = new Map<string, number>();
	const timers = new Map<string, NodeJS.Timeout>();
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

	return {
		add(key: string, items: Iterable<string>) {
			const set = pending.get(key) ?? new Set<string>();
			for (const i of items) set.add(i);
			pending.set(key, set);
			if (timers.has(key)) return;
			const wait = Math.max(0, (lastFlush.get(key) ?? 0) + intervalMs - Date.now());
			timers.set(key, setTimeout(() => run(key), wait));
		},
		/** Sends whatever is pending now and waits for in-flight flushes (graceful shutdown). */
		async drain() {
			for (const [key, t] of timers) {
				clearTimeout(t);
				run(key);
			}
			await Promise.allSettled([...running]);
		}
	};
}
