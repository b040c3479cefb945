import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer } from '../../server/realtime/coalescer.ts';

// The interval is counted on fake timers (Date.now, setTimeout and setImmediate), so a busy machine
// cannot stretch a test's sleep past it; the flushes' promises still settle for real in between.
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
afterEach(() => void vi.useRealTimers());

describe('per-room coalescing', () => {
	it('R-L01 a burst of changes becomes at most one batch per interval, carrying every changed item', async () => {
		vi.useFakeTimers();
		const batches: { key: string; items: string[] }[] = [];
		const c = createCoalescer(
			50,
			async (key, items) => void batches.push({ key, items: [...items].sort() }),
			(e) => {
				throw e;
			}
		);
		c.add('1', ['2026-12-01']);
		await advance(5); // the first change after quiet goes out at once
		expect(batches).toEqual([{ key: '1', items: ['2026-12-01'] }]);
		for (let i = 0; i < 20; i++) c.add('1', [`2026-12-0${(i % 3) + 1}`]);
		c.add('2', ['2026-12-09']);
		await advance(44); // 49 ms after the first batch: the burst is still held back
		expect(batches.filter((b) => b.key === '1')).toHaveLength(1);
		await advance(71);
		await c.drain();
		const forOne = batches.filter((b) => b.key === '1');
		expect(forOne[0].items).toEqual(['2026-12-01']);
		expect(forOne).toHaveLength(2);
		expect(forOne[1].items).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
		expect(batches.filter((b) => b.key === '2')).toEqual([{ key: '2', items: ['2026-12-09'] }]);
	});

	it('R-O08 drain sends what is pending at once (graceful shutdown)', async () => {
		vi.useFakeTimers();
		const batches: string[][] = [];
		const c = createCoalescer(10_000, async (_k, items) => void batches.push([...items]), () => {});
		c.add('1', ['a']);
		await advance(5);
		c.add('1', ['b']); // held back by the interval
		await advance(5_000);
		expect(batches).toEqual([['a']]);
		await c.drain();
		expect(batches).toEqual([['a'], ['b']]);
	});

	it('R-C06 a lone change after a quiet period goes out on the next turn of the event loop, with what came in the same turn', async () => {
		const batches: string[][] = [];
		const c = createCoalescer(10_000, async (_k, items) => void batches.push([...items].sort()), () => {});
		c.add('1', ['b']);
		c.add('1', ['a']);
		expect(batches).toEqual([]);
		await new Promise((r) => setImmediate(r));
		expect(batches).toEqual([['a', 'b']]);
		await c.drain();
	});
});
