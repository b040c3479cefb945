import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import type { Logger } from '../../src/lib/server/log.ts';

/** R-L04: while Redis is away each connection tries again after at most this long (node-redis reconnectStrategy). */
export const REDIS_RETRY_MAX_MS = 500;
export const redisRetryDelay = (retries: number) => Math.min(100 * 2 ** retries, REDIS_RETRY_MAX_MS);
/** R-L04: how long after a connection comes back the node re-sends its rooms (both connections ready by then). */
export const RESYNC_SETTLE_MS = 250;

/**
 * R-L04: once both connections are back (and the subscriber has resubscribed), `resync` runs once,
 * RESYNC_SETTLE_MS after the last `kick` (a connection's 'ready'); while one is still away it looks
 * again after the same wait. Timers are the global ones, so a test can count them on fake timers.
 */
export function resyncWhenReady(bothReady: () => boolean, resync: () => unknown) {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const kick = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			if (bothReady()) void resync();
			else kick();
		}, RESYNC_SETTLE_MS);
	};
	return { kick, cancel: () => clearTimeout(timer) };
}

/**
 * The Redis adapter in one place (STYLE habit 6): a publisher client and its duplicate as
 * subscriber. While Redis is down each node keeps serving its own clients; the clients reconnect
 * by themselves and the adapter resubscribes, so cross-node fan-out resumes without a restart.
 */
export async function attachRedisAdapter(io: Server, url: string, log: Logger, key = 'mynumber', onReconnect?: () => unknown, onDown?: () => unknown) {
	const pub = createClient({
		url,
		socket: { reconnectStrategy: redisRetryDelay, connectTimeout: 3000 }
	});
	const sub = pub.duplicate();
	let lastError = 0;
	for (const [name, c] of [['pub', pub], ['sub', sub]] as const) {
		c.on('error', (err: Error) => {
			// messages between nodes may be lost from now on (session cache: server/boot.ts)
			if (started) onDown?.();
			// Reconnect attempts fail many times a second while Redis is away: log one line every 10 s.
			if (Date.now() - lastError > 10_000) {
				lastError = Date.now();
				log.warn({ client: name, err: err.message }, 'redis unavailable; serving local clients only');
			}
		});
		c.on('end', () => {
			if (started) onDown?.();
		});
		c.on('ready', () => {
			log.info({ client: name }, 'redis connected');
			if (started) resyncTrigger.kick();
		});
	}
	// R-L04: once both connections are back (and the subscriber has resubscribed), let the hub
	// re-send what this node's clients watch — pushes from other nodes were lost meanwhile.
	let started = false;
	const resyncTrigger = resyncWhenReady(
		() => pub.isReady && sub.isReady,
		() => onReconnect?.()
	);
	await Promise.all([pub.connect(), sub.connect()]);
	started = true;
	io.adapter(createAdapter(pub, sub, { key: `${key}#socket.io` }));
	return {
		/** The publisher connection, shared with rate limits (rate-limiter-flexible) */
		client: pub,
		async ping(): Promise<boolean> {
			if (!pub.isReady) return false;
			try {
				return (await Promise.race([pub.ping(), new Promise<string>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000))])) === 'PONG';
			} catch {
				return false;
			}
		},
		/** Graceful close; a client still waiting for Redis (down, reconnecting) is destroyed after a second. */
		async close() {
			resyncTrigger.cancel();
			started = false;
			await Promise.allSettled(
				[pub, sub].map((c) =>
					Promise.race([c.close(), new Promise<void>((r) => setTimeout(r, 1000))]).finally(() => {
						if (c.isOpen) c.destroy();
					})
				)
			);
		}
	};
}
