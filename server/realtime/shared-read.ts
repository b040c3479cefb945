/**
 * One read at a time per key, shared by everyone who asked while it waited. A caller never gets a
 * read that started before it asked (R-L04: a client that (re)subscribes gets the current state,
 * never a stale one): callers arriving while a read runs share the next one, started when the
 * running one ends. So a burst of N subscribes to one room — a node restarting and its clients
 * reconnecting at once — costs two reads instead of N, and does not queue N × the reads of one
 * subscribe on the database pool.
 */
export function createSharedReads<T>() {
	const inFlight = new Map<string, { current: Promise<T>; next: Promise<T> | null }>();

	function start(key: string, read: () => Promise<T>): Promise<T> {
		const entry = { current: read(), next: null as Promise<T> | null };
		inFlight.set(key, entry);
		const settle = () => {
			if (inFlight.get(key) === entry && entry.next === null) inFlight.delete(key);
		};
		entry.current.then(settle, settle);
		return entry.current;
	}

	return (key: string, read: () => Promise<T>): Promise<T> => {
		const entry = inFlight.get(key);
		if (!entry) return start(key, read);
		entry.next ??= entry.current.then(
			() => start(key, read),
			() => start(key, read)
		);
		return entry.next;
	};
}
