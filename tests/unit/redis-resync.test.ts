import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REDIS_RETRY_MAX_MS, RESYNC_SETTLE_MS, redisRetryDelay, resyncWhenReady } from '../../server/realtime/redis.ts';

/**
 * R-L04 "within 2 s of Redis's return": the waits the node itself schedules between Redis answering
 * again and the node re-sending its rooms, counted on fake timers so a busy machine cannot blur them.
 * The re-send itself (reads and emits on real sockets) is driven end to end in
 * tests/integration/security-realtime.test.ts and realtime.test.ts.
 */
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('R-L04 reconnect timing', () => {
	it('R-L04 while Redis is away each connection tries again within 500 ms, however long the outage', () => {
		expect([0, 1, 2, 3].map(redisRetryDelay)).toEqual([100, 200, 400, 500]);
		for (let n = 0; n < 1_000; n++) expect(redisRetryDelay(n)).toBeLessThanOrEqual(REDIS_RETRY_MAX_MS);
		expect(REDIS_RETRY_MAX_MS).toBe(500);
	});

	it('R-L04 the re-send runs once, the settle time after the last connection came back, not before', async () => {
		let ready = { pub: false, sub: false };
		const resends: number[] = [];
		const trigger = resyncWhenReady(() => ready.pub && ready.sub, () => resends.push(Date.now()));
		const t0 = Date.now();
		ready = { ...ready, pub: true };
		trigger.kick();
		await vi.advanceTimersByTimeAsync(100);
		ready = { ...ready, sub: true };
		trigger.kick(); // the subscriber back 100 ms later: the wait starts again
		await vi.advanceTimersByTimeAsync(RESYNC_SETTLE_MS - 1);
		expect(resends).toEqual([]);
		await vi.advanceTimersByTimeAsync(1);
		expect(resends).toEqual([t0 + 100 + RESYNC_SETTLE_MS]);
		await vi.advanceTimersByTimeAsync(10_000);
		expect(resends).toHaveLength(1);
	});

	it('R-L04 with one connection still away at the settle time, it looks again and re-sends once both are back', async () => {
		let bothReady = false;
		let resends = 0;
		const trigger = resyncWhenReady(() => bothReady, () => resends++);
		trigger.kick();
		await vi.advanceTimersByTimeAsync(RESYNC_SETTLE_MS * 3);
		expect(resends).toBe(0);
		bothReady = true; // e.g. the subscriber came back without a 'ready' of its own yet
		await vi.advanceTimersByTimeAsync(RESYNC_SETTLE_MS);
		expect(resends).toBe(1);
		trigger.cancel();
	});

	it('R-L04 worst case: Redis answers just after both connections failed an attempt at the longest wait; the re-send starts within 750 ms, inside the 2 s', async () => {
		const ready = { pub: false, sub: false };
		let resentAt: number | null = null;
		const trigger = resyncWhenReady(() => ready.pub && ready.sub, () => void (resentAt = Date.now()));
		// deep into an outage: the connections' next attempts are due after the longest wait,
		// the publisher's a moment sooner than the subscriber's
		const retries = 12;
		const back = Date.now(); // Redis answers again now
		for (const [name, lag] of [['pub', 1], ['sub', 0]] as const) {
			setTimeout(() => {
				ready[name] = true; // the attempt succeeds: node-redis emits 'ready', which kicks
				trigger.kick();
			}, redisRetryDelay(retries) - lag);
		}
		await vi.runAllTimersAsync();
		expect(resentAt).not.toBeNull();
		expect(resentAt! - back).toBe(REDIS_RETRY_MAX_MS + RESYNC_SETTLE_MS);
		expect(resentAt! - back).toBeLessThan(2000);
	});
});
