/**
 * Abuse limits shared by every node (R-C14, R-O04): rate-limiter-flexible on the Redis the nodes
 * already share, with a per-node memory limiter as insurance while Redis is down — limits fall
 * back to per node, never open. Without REDIS_URL (one node) memory alone is exact.
 *
 * Keys never carry personal data in clear: a card is keyed by a hash of its notice ID.
 */
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

export interface LimitSpec {
	/** allowed within `seconds` */
	points: number;
	seconds: number;
	/** once exceeded, refused for this long (defaults to the rest of the window) */
	blockSeconds?: number;
}

const KEY = Symbol.for('mynumber.limiters');
type Holder = { [KEY]?: { memory: Map<string, RateLimiterAbstract>; byClient: WeakMap<object, Map<string, RateLimiterAbstract>> } };

function limiter(ctx: AppContext, name: string, spec: LimitSpec): RateLimiterAbstract {
	const holder = globalThis as Holder;
	const caches = (holder[KEY] ??= { memory: new Map(), byClient: new WeakMap() });
	const client = ctx.redis.client;
	// One set of limiters per Redis connection (several nodes may live in one test process).
	let cache = client ? caches.byClient.get(client) : caches.memory;
	if (!cache) caches.byClient.set(client!, (cache = new Map()));
	const id = `${ctx.config.REDIS_KEY}:${name}:${spec.points}:${spec.seconds}:${spec.blockSeconds ?? 0}`;
	let l = cache.get(id);
	if (!l) {
		const opts = { keyPrefix: `${ctx.config.REDIS_KEY}:rl:${name}`, points: spec.points, duration: spec.seconds, blockDuration: spec.blockSeconds ?? 0 };
		const memory = new RateLimiterMemory(opts);
		l = client ? new RateLimiterRedis({ ...opts, storeClient: client, useRedisPackage: true, insuranceLimiter: memory, rejectIfRedisNotReady: true }) : memory;
		cache.set(id, l);
	}
	return l;
}

/** A hash, so that a notice ID or an email never sits in Redis in clear. */
export function limitKey(...parts: (string | number | null | undefined)[]): string {
	return createHash('sha256').update(parts.map((p) => String(p ?? '')).join('|')).digest('base64url').slice(0, 32);
}

export function retryAfterSeconds(res: unknown): number {
	return res instanceof RateLimiterRes ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 60;
}

/** Counts one event; resolves to the seconds to wait when it is over the limit, null when allowed. */
export async function consume(ctx: AppContext, name: string, spec: LimitSpec, key: string, points = 1): Promise<number | null> {
	try {
		await limiter(ctx, name, spec).consume(key, points);
		return null;
	} catch (e) {
		if (e instanceof RateLimiterRes) return retryAfterSeconds(e);
		throw e;
	}
}

/**
 * Failure counting with a lockout (R-C14, staff login): `spec.points` failures within
 * `spec.seconds` lock the key for `spec.blockSeconds`. Returns the seconds left when locked.
 */
export async function failureLock(ctx: AppContext, name: string, spec: LimitSpec, key: string): Promise<number | null> {
	const res = await limiter(ctx, name, spec).get(key);
	return res && res.consumedPoints >= spec.points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : null;
}

/** Counts one failure; when it reaches the limit the key is locked and the lock's seconds are returned. */
export async function recordFailure(ctx: AppContext, name: string, spec: LimitSpec, key: string): Promise<number | null> {
	const l = limiter(ctx, name, spec);
	let res: RateLimiterRes;
	try {
		res = await l.consume(key, 1);
	} catch (e) {
		if (e instanceof RateLimiterRes) return retryAfterSeconds(e);
		throw e;
	}
	if (res.consumedPoints < spec.points) return null;
	const seconds = spec.blockSeconds ?? spec.seconds;
	await l.block(key, seconds);
	return seconds;
}

/** Counts one event without refusing; resolves to how many are counted in the current window. */
export async function countEvent(ctx: AppContext, name: string, spec: LimitSpec, key: string): Promise<number> {
	try {
		return (await limiter(ctx, name, spec).consume(key, 1)).consumedPoints;
	} catch (e) {
		if (e instanceof RateLimiterRes) return e.consumedPoints;
		throw e;
	}
}

/** How many are counted for the key in the current window (0 when none). */
export async function countOf(ctx: AppContext, name: string, spec: LimitSpec, key: string): Promise<number> {
	return (await limiter(ctx, name, spec).get(key))?.consumedPoints ?? 0;
}

/** Refuses the key for `seconds` from now (checked with failureLock and the same spec). */
export async function blockFor(ctx: AppContext, name: string, spec: LimitSpec, key: string, seconds: number): Promise<void> {
	await limiter(ctx, name, spec).block(key, seconds);
}

/**
 * Gives points back (a connection that closed, for limits that count what is open): never below
 * zero, and never in the way of what the caller was doing.
 */
export async function release(ctx: AppContext, name: string, spec: LimitSpec, key: string, points = 1): Promise<void> {
	const l = limiter(ctx, name, spec);
	try {
		const res = await l.get(key);
		if (!res || res.consumedPoints <= 0) return;
		await l.reward(key, Math.min(points, res.consumedPoints));
	} catch {
		// Redis away: the count expires with its window anyway.
	}
}

export async function resetLimit(ctx: AppContext, name: string, spec: LimitSpec, key: string): Promise<void> {
	const l = limiter(ctx, name, spec);
	// delete() does not fall back to the insurance limiter: with Redis away it would wait for Redis
	// forever. Clear the per-node count then, and never let a reset hold up a request.
	const insurance = (l as { insuranceLimiter?: RateLimiterAbstract }).insuranceLimiter;
	if (ctx.redis.client && !ctx.redis.client.isReady) {
		await insurance?.delete(key);
		return;
	}
	await Promise.race([Promise.all([l.delete(key), insurance?.delete(key)]), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => {});
}

/** The 429 every limit answers with: when to retry, in seconds and as a time of day (R-C14). */
export function tooMany(seconds: number, message: { ja: string; en: string }, now: Date): AppError {
	const at = new Date(now.getTime() + seconds * 1000);
	const hhmm = at.toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
	const hhmmEn = at.toLocaleTimeString('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
	return new AppError('rate_limited', `${message.ja}${hhmm} 以降にもう一度お試しください。`, {
		en: `${message.en} Please try again after ${hhmmEn} (Japan time).`,
		extra: { retryAfter: seconds, retryAt: at.toISOString() }
	});
}
