import type { DefaultEventsMap, Server } from 'socket.io';
import type { AppContext } from '../../src/lib/server/context.ts';
import { authenticate } from '../../src/lib/server/auth/session.ts';
import { hasRole } from '../../src/lib/domain/roles.ts';
import { mayServe } from '../../src/lib/domain/scope.ts';
import { forgetCity } from '../../src/lib/server/city/cache.ts';
import { forgetMaintenance } from '../../src/lib/server/citizen/maintenance.ts';
import { NODE_EVENTS, type NodeEvents } from '../../src/lib/realtime/events.ts';
import { staffToken, type SocketData } from './handshake.ts';
import { roomLocation } from './rooms.ts';
import type { StaffNamespace } from './namespaces/staff.ts';
import type { BoardNamespace } from './namespaces/board.ts';

/** How long a logout waits for the other nodes to confirm they dropped the session (then it answers anyway). */
const SESSION_DROP_WAIT_MS = 1_000;

/**
 * R-S01: a user's role or served locations changed. This node's staff and board sockets of that
 * user take the new rights at once: a socket leaves every day or board room of a location the user
 * no longer serves (no further pushes from it; subscribing there again is refused), and one whose
 * session no longer answers is cut. Before, the change reached a live socket only at its next subscribe.
 */
export async function recheckUsers(ctx: AppContext, namespaces: readonly (StaffNamespace | BoardNamespace)[], users: readonly number[]) {
	const changed = new Set(users);
	for (const nsp of namespaces) {
		for (const socket of [...nsp.sockets.values()]) {
			const before = (socket.data as SocketData).principal;
			if (!before || !changed.has(before.userId)) continue;
			const now = await authenticate(ctx, staffToken(socket.handshake)).catch(() => null);
			if (!now || !hasRole(now.role, 'viewer')) {
				socket.disconnect(true);
				continue;
			}
			(socket.data as SocketData).principal = now;
			for (const room of [...socket.rooms]) {
				const loc = roomLocation(room);
				if (loc !== undefined && !mayServe(now, loc)) socket.leave(room);
			}
		}
	}
}

/**
 * The server-side events between this node and the others (NODE_EVENTS in src/lib/realtime/events.ts):
 * listens to what other nodes say ended or changed, and returns how to tell them. Built before the
 * Redis adapter is attached (server/realtime/redis.ts): until then this node is alone, has nobody
 * to tell, and its in-memory adapter would print a warning for every server-side event.
 */
export function nodeEvents(server: Server, ctx: AppContext, onUsersChanged: (users: number[]) => void) {
	const io = server as unknown as Server<DefaultEventsMap, DefaultEventsMap, NodeEvents>;
	const LoneAdapter = io.of('/').adapter.constructor;
	const alone = () => io.of('/').adapter.constructor === LoneAdapter;

	io.on(NODE_EVENTS.sessionsEnded, (ids: unknown, ack?: unknown) => {
		if (Array.isArray(ids)) ctx.sessions?.drop(ids.filter((x): x is string => typeof x === 'string'));
		if (typeof ack === 'function') ack(true);
	});
	// R-S18 / R-C13: another node changed the city's settings or maintenance
	io.on(NODE_EVENTS.cityChanged, () => {
		forgetCity(ctx);
		forgetMaintenance();
	});
	io.on(NODE_EVENTS.usersChanged, (ids: unknown) => {
		if (!Array.isArray(ids)) return;
		onUsersChanged(ids.filter((x): x is number => typeof x === 'number'));
	});

	return {
		usersChanged(ids: readonly number[]) {
			if (!alone()) io.serverSideEmit(NODE_EVENTS.usersChanged, [...ids]);
		},
		cityChanged() {
			if (!alone()) io.serverSideEmit(NODE_EVENTS.cityChanged);
		},
		/**
		 * Resolved when every other node has dropped the sessions (each acks after dropping), so what
		 * ended here is over everywhere before the request that ended it answers. A node that does not
		 * answer within SESSION_DROP_WAIT_MS (gone, or Redis away — then no node uses its cache) is
		 * not waited for longer: its cache entry lasts SESSION_CACHE_SECONDS at most.
		 */
		async sessionsEnded(ids: readonly string[]) {
			if (alone()) return;
			// (io.timeout() applies to broadcasts only; the adapter's own request timeout is 5 s)
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error('timeout')), SESSION_DROP_WAIT_MS);
			});
			try {
				await Promise.race([io.serverSideEmitWithAck(NODE_EVENTS.sessionsEnded, [...ids]), late]);
			} catch {
				ctx.log.warn({ event: NODE_EVENTS.sessionsEnded }, 'not every node confirmed a session end in time');
			} finally {
				clearTimeout(timer);
			}
		}
	};
}

export type NodeTellers = ReturnType<typeof nodeEvents>;
