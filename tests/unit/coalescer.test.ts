import { describe, expect, it } from 'vitest';
import { createCoalescer } from '../../server/realtime/coalescer.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per-room coalescing', () => {
	it('R-L01 a burst of changes becomes at most one batch per interval, carrying every changed item', async () => {
		const batches: { key: string; items: string[] }[] = [];
		const c = createCoalescer(
			50,
			async (key, items) => void batches.push({ key, items: [...items].sort() }),
			(e) => {
				throw e;
			}
		);
		c.add('1', ['2026-12-01']);
		await sleep(5); // the first change after quiet goes out at once
		for (let i = 0; i < 20; i++) c.add('1', [`2026-12-0${(i % 3) + 1}`]);
		c.add('2', ['2026-12-09']);
		await sleep(120);
		await c.drain();
		const forOne = batches.filter((b) => b.key === '1');
		expect(forOne[0].items).toEqual(['2026-12-01']);
		expect(forOne).toHaveLength(2);
		expect(forOne[1].items).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
		expect(batches.filter((b) => b.key === '2')).toEqual([{ key: '2', items: ['2026-12-09'] }]);
	});

	it('R-O08 drain sends what is pending at once (graceful shutdown)', async () => {
		const batches: string[][] = [];
		const c = createCoalescer(10_000, async (_k, items) => void batches.push([...items]), () => {});
		c.add('1', ['a']);
		await sleep(5);
		c.add('1', ['b']); // held back by the interval
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
