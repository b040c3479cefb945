import { describe, expect, it } from 'vitest';
import { createSharedReads } from '../../server/realtime/shared-read.ts';

/** A read whose answer the test releases by hand, numbered in the order the reads started. */
function reads() {
	const started: { n: number; release(v: string): void; fail(e: Error): void }[] = [];
	const read = () =>
		new Promise<string>((resolve, reject) => {
			started.push({ n: started.length + 1, release: resolve, fail: reject });
		});
	return { started, read };
}

describe('shared subscribe reads', () => {
	it('R-L04 callers during a running read share the next one, started after they asked; a burst costs two reads', async () => {
		const shared = createSharedReads<string>();
		const { started, read } = reads();
		const first = shared('pub:1:2026-12', read);
		const burst = Array.from({ length: 50 }, () => shared('pub:1:2026-12', read));
		expect(started).toHaveLength(1);
		started[0].release('state read before the burst asked');
		expect(await first).toBe('state read before the burst asked');
		await Promise.resolve();
		expect(started).toHaveLength(2);
		started[1].release('state read after the burst asked');
		expect(new Set(await Promise.all(burst))).toEqual(new Set(['state read after the burst asked']));
		// Quiet again: the next caller starts its own read at once.
		const later = shared('pub:1:2026-12', read);
		expect(started).toHaveLength(3);
		started[2].release('later');
		expect(await later).toBe('later');
	});

	it('R-L04 keys do not share, and a failed read fails only its own callers', async () => {
		const shared = createSharedReads<string>();
		const { started, read } = reads();
		const a = shared('pub:1:2026-12', read);
		const b = shared('pub:2:2026-12', read);
		const aNext = shared('pub:1:2026-12', read);
		expect(started).toHaveLength(2);
		started[0].fail(new Error('database away'));
		started[1].release('b');
		await expect(a).rejects.toThrow('database away');
		expect(await b).toBe('b');
		await new Promise((r) => setImmediate(r));
		expect(started).toHaveLength(3);
		started[2].release('a again');
		expect(await aNext).toBe('a again');
	});
});
