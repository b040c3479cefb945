import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import type { Logger } from '../../src/lib/server/log.ts';

/**
 * The Redis adapter in one place (STYLE habit 6): a publisher client and its duplicate as
 * subscriber. While Redis is down each node keeps serving its own clients; the clients reconnect
 * by themselves and the adapter resubscribes, so cross-node fan-out resumes without a restart.
 */
export async function attachRedisAdapter(io: Server, url: string, log: Logger, key = 'mynumber', onReconnect?: () => unknown, onDown?: () => unknown) {
	const pub = createClient({
		url,
		socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 500), connectTimeout: 3000 }
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
			if (started) reconnected();
		});
	}
	// R-L04: once both connections are back (and the subscriber has resubscribed), let the hub
	// re-send what this node's clients watch — pushes from other nodes were lost meanwhile.
	let started = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	const reconnected = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			if (pub.isReady && sub.isReady) void onReconnect?.();
			else reconnected();
		}, 250);
	};
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
			clearTimeout(timer);
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
