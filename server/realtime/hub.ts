import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AppContext } from '../../src/lib/server/context.ts';
import { authenticate } from '../../src/lib/server/auth/session.ts';
import { monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { listStaffSlots } from '../../src/lib/server/scheduling/capacity.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { boardTokenGrant } from '../../src/lib/server/board/tokens.ts';
import { missingHeaderMessage, resolveClientAddress } from '../../src/lib/server/security/address.ts';
import { originAllowed } from './origin.ts';
import { resendRooms, type RoomStates } from './resync.ts';
import { boardToken, staffToken, type Handshake, type SocketData } from './handshake.ts';
import { publicNamespace } from './namespaces/public.ts';
import { staffNamespace } from './namespaces/staff.ts';
import { boardNamespace } from './namespaces/board.ts';
import { nodeEvents, recheckUsers } from './nodes.ts';
import { createPublisher } from './publisher.ts';

export { sessionRoom, boardTokenRoom } from './rooms.ts';
export { staffToken } from './handshake.ts';

/** The Socket.IO server on the app's http server, with the handshake checks every namespace shares. */
function createServer(httpServer: HttpServer, ctx: AppContext): Server {
	return new Server(httpServer, {
		serveClient: false,
		cors: { origin: false },
		pingInterval: 10_000,
		pingTimeout: 8_000,
		// Subscriptions are tiny; nothing a client sends needs more (R-O04 request-size limits).
		maxHttpBufferSize: 16 * 1024,
		// R-O04 CSRF/CSWSH: a page of another origin (even on the same site) may not open a socket with our cookie.
		allowRequest: (req, cb) => {
			if (!originAllowed(req.headers, ctx.config.PUBLIC_ORIGIN)) return cb(null, false);
			// R-C14 R-O04: the same client address as for HTTP; a handshake round the proxy is refused like a request.
			const where = resolveClientAddress(req.headers, req.socket.remoteAddress, ctx.config);
			if (!where.ok) ctx.log.error({ header: where.header, reason: where.reason, socket: true }, missingHeaderMessage(where));
			cb(null, where.ok);
		}
	});
}

/**
 * Builds the Socket.IO hub on an http server without listening (STYLE habit 5): the three
 * namespaces (server/realtime/namespaces/), the events between nodes (nodes.ts), and the Publisher
 * that use cases call after commit (publisher.ts).
 */
export function createRealtime(httpServer: HttpServer, ctx: AppContext, opts: { release?: string; states?: RoomStates } = {}) {
	const release = opts.release ?? 'dev';
	// What a room shows, read for a subscribe and after a reconnect (tests may wrap these reads).
	const states: RoomStates = opts.states ?? {
		publicMonth: (locationId, month) => monthAvailability(ctx, locationId, month),
		staffDay: async (locationId, date) => ({ locationId, date, slots: await listStaffSlots(ctx, locationId, date) }),
		board: (locationId) => boardCounters(ctx, locationId)
	};
	const io = createServer(httpServer, ctx);
	const pub = publicNamespace(io, ctx, states);
	const staff = staffNamespace(io, ctx, states);
	const board = boardNamespace(io, ctx, states, release);

	const recheck = (users: readonly number[]) => recheckUsers(ctx, [staff, board], users);
	// What other nodes say ended or changed (see publisher.sessionsRevoked / usersChanged).
	const nodes = nodeEvents(io, ctx, (users) => {
		ctx.sessions?.dropUsers(users);
		recheck(users).catch((e) => ctx.log.error({ err: e }, 'realtime recheck of changed users failed'));
	});
	const { publisher, coalescer } = createPublisher(ctx, { pub, staff, board }, nodes, recheck);

	return {
		io,
		publisher,
		/**
		 * After Redis comes back (R-L04): pushes made on other nodes while it was away never reached
		 * this node's clients, so send every room this node serves its current state, and cut sockets
		 * whose session or board token ended meanwhile (their cut could not reach this node).
		 */
		resync: () =>
			resendRooms({ pub, staff, board }, states, {
				stillAllowed: async (data: SocketData, handshake: Handshake) =>
					data.principal ? (await authenticate(ctx, staffToken(handshake))) !== null : data.boardTokenId !== undefined ? (await boardTokenGrant(ctx, boardToken(handshake)))?.id === data.boardTokenId : true
			}).catch((e) => ctx.log.error({ err: e }, 'realtime resync failed')),
		/**
		 * Sends what is pending, then closes this node's client connections so they reconnect to
		 * another node (R-O08). Only the transports are closed: a socket told "disconnect" by the
		 * server (disconnectSockets) would not reconnect by itself, one whose transport closed does.
		 * Not io.close(): that also closes the http server, which the caller closes itself (stop
		 * accepting first, let requests finish), and io.disconnectSockets() would go through the
		 * Redis adapter and disconnect every node's clients. Safe to call twice.
		 */
		async close() {
			await coalescer.drain();
			io.engine.close();
		}
	};
}

export type Realtime = ReturnType<typeof createRealtime>;
