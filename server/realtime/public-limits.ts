/**
 * Limits of the anonymous /public namespace (R-O04): an attacker's probe had one socket answered
 * 1,200 month subscribes in 8 s (each a database read) and 300 sockets from one address accepted.
 * Counted by the shared rate limiter (security/limits.ts: Redis across nodes, per node while Redis is
 * away), keyed by the socket and by its client address (server/realtime/address.ts).
 */
import type { Socket } from 'socket.io';
import type { AppContext } from '../../src/lib/server/context.ts';
import { consume, limitKey, release, type LimitSpec } from '../../src/lib/server/security/limits.ts';
import { socketAddress } from './address.ts';

/** Whitelisted texts a refused client sees (no counts, no internals). */
export const PUBLIC_LIMIT_MESSAGES = {
	connections: 'too_many_connections',
	subscribes: '操作が多すぎます。少し待ってからもう一度お試しください。'
} as const;

/**
 * Open connections are counted up on connect and down on disconnect. The count lives an hour
 * from an address's first connection: a node that died holding connections never keeps its
 * addresses refused for longer than that.
 */
const connectionSpec = (ctx: AppContext): LimitSpec => ({ points: ctx.config.PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS, seconds: 3600 });
const perSocketSpec = (ctx: AppContext): LimitSpec => ({ points: ctx.config.PUBLIC_SUBSCRIBES_PER_MINUTE, seconds: 60 });
const perAddressSpec = (ctx: AppContext): LimitSpec => ({ points: ctx.config.PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE, seconds: 60 });

type ConnectNext = (err?: Error & { data?: unknown }) => void;

/** Namespace middleware: one more open connection for this address, or connect_error `too_many_connections`. */
export function limitPublicConnections(ctx: AppContext) {
	return async (socket: Socket, next: ConnectNext) => {
		const key = limitKey('address', socketAddress(socket, ctx.config));
		let wait: number | null;
		try {
			wait = await consume(ctx, 'public-conn', connectionSpec(ctx), key);
		} catch (e) {
			ctx.log.error({ err: e }, 'public connection limit unavailable');
			wait = null; // the limiter falls back to memory itself; only a bug lands here, and the calendar stays up
		}
		if (wait !== null) {
			// A refused try was counted too: give it back, so the count stays that of open connections.
			await release(ctx, 'public-conn', connectionSpec(ctx), key);
			const err = new Error(PUBLIC_LIMIT_MESSAGES.connections) as Error & { data?: unknown };
			err.data = { retryAfter: wait };
			return next(err);
		}
		socket.once('disconnect', () => void release(ctx, 'public-conn', connectionSpec(ctx), key));
		next();
	};
}

/**
 * Packet middleware for every event a /public socket sends: over the per-socket or per-address
 * rate, the event is not handled (no database read) and its ack gets `{error}`. Events are checked
 * one after another, so they reach their handlers in the order they came (a calendar's room
 * follows the last month asked for).
 */
export function limitPublicEvents(ctx: AppContext, socket: Socket) {
	const addressKey = limitKey('address', socketAddress(socket, ctx.config));
	const socketKey = limitKey('socket', socket.id);
	let queue: Promise<void> = Promise.resolve();
	return (packet: unknown[], next: (err?: Error) => void) => {
		queue = queue.then(async () => {
			let wait: number | null = null;
			try {
				wait = (await consume(ctx, 'public-sub-socket', perSocketSpec(ctx), socketKey)) ?? (await consume(ctx, 'public-sub-address', perAddressSpec(ctx), addressKey));
			} catch (e) {
				ctx.log.error({ err: e }, 'public subscribe limit unavailable');
			}
			if (wait === null) return next();
			const ack = packet[packet.length - 1];
			if (typeof ack === 'function') ack({ error: { code: 'rate_limited', message: PUBLIC_LIMIT_MESSAGES.subscribes, retryAfter: wait } });
		});
	};
}
