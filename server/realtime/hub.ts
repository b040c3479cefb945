import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { parse as parseCookie } from 'cookie';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import type { AppContext, Publisher } from '../../src/lib/server/context.ts';
import { authenticate, requireRole, type Principal } from '../../src/lib/server/auth/session.ts';
import { requireLocation } from '../../src/lib/server/auth/scope.ts';
import { SESSION_COOKIE } from '../../src/lib/server/auth/cookie.ts';
import { hasRole } from '../../src/lib/domain/roles.ts';
import { monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { listStaffSlots } from '../../src/lib/server/scheduling/capacity.ts';
import { mayServe } from '../../src/lib/domain/scope.ts';
import { dateString, locationIdParam, monthString } from '../../src/lib/server/schemas.ts';
import { AppError, isAppError } from '../../src/lib/server/errors.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { BOARD_COOKIE, boardTokenGrant, boardTokenLocation } from '../../src/lib/server/board/tokens.ts';
import { livePushes } from '../../src/lib/server/live/pushes.ts';
import { forgetCity } from '../../src/lib/server/city/cache.ts';
import { forgetMaintenance } from '../../src/lib/server/citizen/maintenance.ts';
import {
	NAMESPACES,
	type Ack,
	type AvailabilityPush,
	type BoardClientToServer,
	type BoardServerToClient,
	type PublicClientToServer,
	type PublicServerToClient,
	type StaffClientToServer,
	type StaffServerToClient
} from '../../src/lib/realtime/events.ts';
import { createCoalescer } from './coalescer.ts';
import { createSharedReads } from './shared-read.ts';
import { originAllowed } from './origin.ts';
import { missingHeaderMessage, resolveClientAddress, staffNetworkAllows } from '../../src/lib/server/security/address.ts';
import { resendRooms, type RoomStates } from './resync.ts';
import { limitPublicConnections, limitPublicEvents } from './public-limits.ts';

const publicRoom = (locationId: number, month: string) => `pub:${locationId}:${month}`;
const staffRoom = (locationId: number, date: string) => `staff:${locationId}:${date}`;
const boardRoom = (locationId: number) => `board:${locationId}`;
/** Rooms a socket keeps for its whole life, so that logout and revocation can cut it on every node. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const boardTokenRoom = (tokenId: number) => `board-token:${tokenId}`;
/** Server-side events between nodes: sessions ended, users changed (the session caches follow). */
const SESSIONS_ENDED = 'mn:sessions-ended';
const USERS_CHANGED = 'mn:users-changed';
const CITY_CHANGED = 'mn:city-changed';
/** How long a logout waits for the other nodes to confirm they dropped the session (then it answers anyway). */
const SESSION_DROP_WAIT_MS = 1_000;
const isIdentityRoom = (r: string) => r.startsWith('session:') || r.startsWith('board-token:');

const publicSubscribe = z.strictObject({ locationId: locationIdParam, month: monthString });
const staffSubscribe = z.strictObject({ locationId: locationIdParam, date: dateString });
const boardSubscribe = z.strictObject({ locationId: locationIdParam });

/** A staff login opens a board only of a location it serves (R-S01); board tokens are per location already. */
const servesBoard = (p: Principal | null, locationId: number) => p !== null && mayServe(p, locationId);

/** A board socket is either a signed-in staff member (the locations they serve) or a board token (its one location). */
type SocketData = { principal?: Principal; boardLocationId?: number; boardTokenId?: number };

/** Only whitelisted messages reach clients; anything unexpected is logged and reported generically. */
function failure(ctx: AppContext, e: unknown): Ack<never> {
	if (isAppError(e)) return { error: { code: e.code, message: e.message } };
	if (e instanceof z.ZodError) return { error: { code: 'bad_request', message: e.issues.map((i) => i.path.join('.') || i.message).join(', ') } };
	ctx.log.error({ err: e }, 'socket handler failed');
	return { error: { code: 'internal', message: 'サーバーでエラーが発生しました。' } };
}

/**
 * A subscribe the app refused (not found, forbidden, bad request) leaves the room it joined; one that
 * failed for a passing reason (the database away) stays in it, so the pushes that follow once the
 * database is back still reach the screen that asked.
 */
const refused = (e: unknown) => (isAppError(e) && e.status < 500) || e instanceof z.ZodError;

/** Leaves every room but the socket's own (and its identity room) before joining the one it asked for. */
function switchRoom(socket: { rooms: Set<string>; id: string; leave(r: string): unknown; join(r: string): unknown }, room: string) {
	for (const r of socket.rooms) if (r !== socket.id && !isIdentityRoom(r)) socket.leave(r);
	socket.join(room);
}

/** A staff socket ends when its session expires (R-S01), not only on logout. */
function endWithSession(socket: { disconnect(close: boolean): unknown; once(ev: 'disconnect', fn: () => void): unknown }, token: string | null) {
	const exp = token ? (jwt.decode(token) as { exp?: number } | null)?.exp : undefined;
	if (!exp) return;
	const timer = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1)));
	timer.unref();
	socket.once('disconnect', () => clearTimeout(timer));
}

type Handshake = { auth?: Record<string, unknown>; headers: Record<string, string | string[] | undefined>; address?: string };

function cookieOf(handshake: Handshake, name: string): string | null {
	const raw = handshake.headers.cookie;
	const header = Array.isArray(raw) ? raw.join('; ') : raw;
	return header ? (parseCookie(header)[name] ?? null) : null;
}

export function staffToken(handshake: Handshake): string | null {
	if (typeof handshake.auth?.token === 'string') return handshake.auth.token;
	return cookieOf(handshake, SESSION_COOKIE);
}

function boardToken(handshake: Handshake): string | null {
	if (typeof handshake.auth?.boardToken === 'string') return handshake.auth.boardToken;
	return cookieOf(handshake, BOARD_COOKIE);
}

/**
 * Builds the Socket.IO hub on an http server without listening (STYLE habit 5), and the
 * Publisher that use cases call after commit. Emitting to a room goes through the adapter, so
 * with Redis every node's subscribers receive it (R-L04).
 */
export function createRealtime(httpServer: HttpServer, ctx: AppContext, opts: { release?: string; states?: RoomStates } = {}) {
	const release = opts.release ?? 'dev';
	// What a room shows, read for a subscribe and after a reconnect (tests may wrap these reads).
	const states: RoomStates = opts.states ?? {
		publicMonth: (locationId, month) => monthAvailability(ctx, locationId, month),
		staffDay: async (locationId, date) => ({ locationId, date, slots: await listStaffSlots(ctx, locationId, date) }),
		board: (locationId) => boardCounters(ctx, locationId)
	};
	const io = new Server(httpServer, {
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

	// The adapter a lone node has (before server/realtime/redis.ts attaches Redis): it has no other
	// nodes to tell, and it would print a warning for every server-side event.
	const LoneAdapter = io.of('/').adapter.constructor;
	const staffNetworkFor = (handshake: Handshake) => {
		const where = resolveClientAddress(handshake.headers, handshake.address, ctx.config);
		return where.ok && staffNetworkAllows(ctx.config, where.address);
	};
	const toOtherNodes = (event: string, ids: readonly (string | number)[]) => {
		if (io.of('/').adapter.constructor !== LoneAdapter) io.serverSideEmit(event, [...ids]);
	};
	/**
	 * The same, resolved when every other node has acted on it (each acks after dropping), so what
	 * ended here is over everywhere before the request that ended it answers. A node that does not
	 * answer within SESSION_DROP_WAIT_MS (gone, or Redis away — then no node uses its cache) is
	 * not waited for longer: its cache entry lasts SESSION_CACHE_SECONDS at most.
	 */
	const toOtherNodesConfirmed = async (event: string, ids: readonly (string | number)[]) => {
		if (io.of('/').adapter.constructor === LoneAdapter) return;
		// (io.timeout() applies to broadcasts only; the adapter's own request timeout is 5 s)
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error('timeout')), SESSION_DROP_WAIT_MS);
		});
		try {
			await Promise.race([io.serverSideEmitWithAck(event, [...ids]), late]);
		} catch {
			ctx.log.warn({ event }, 'not every node confirmed a session end in time');
		} finally {
			clearTimeout(timer);
		}
	};

	const pub = io.of(NAMESPACES.public) as unknown as Namespace<PublicClientToServer, PublicServerToClient>;
	// Citizens' calendars come in crowds (a node restarting, its clients reconnecting at once): the
	// subscribes to one month share their reads (server/realtime/shared-read.ts).
	const monthRead = createSharedReads<AvailabilityPush>();
	// R-O04: open connections per address, and events per socket and per address, are limited.
	pub.use(limitPublicConnections(ctx) as unknown as Parameters<typeof pub.use>[0]);
	pub.on('connection', (socket) => {
		socket.use(limitPublicEvents(ctx, socket as never));
		socket.on('subscribe', async (req, ack) => {
			if (typeof ack !== 'function') return;
			let joined: string | null = null;
			try {
				const q = publicSubscribe.parse(req);
				const room = publicRoom(q.locationId, q.month);
				// R-L04: in the room first, then the read, so that no change falls between the state acked
				// and the pushes that follow (a push may then arrive before the ack: clients keep the newer).
				switchRoom(socket, room);
				joined = room;
				const state = await monthRead(room, () => states.publicMonth(q.locationId, q.month));
				ack({ data: state });
			} catch (e) {
				if (joined && refused(e)) socket.leave(joined);
				ack(failure(ctx, e));
			}
		});
	});

	const staff = io.of(NAMESPACES.staff) as unknown as Namespace<StaffClientToServer, StaffServerToClient, Record<string, never>, SocketData>;
	staff.use(async (socket, next) => {
		// STAFF_NETWORKS: staff sockets only from the city's networks, before anything is read.
		if (!staffNetworkFor(socket.handshake)) return next(new Error('forbidden_network'));
		try {
			const principal = await authenticate(ctx, staffToken(socket.handshake));
			if (!principal || !hasRole(principal.role, 'viewer')) return next(new Error('unauthenticated'));
			socket.data.principal = principal;
			socket.join(sessionRoom(principal.sessionId));
			endWithSession(socket, staffToken(socket.handshake));
			next();
		} catch (e) {
			ctx.log.error({ err: e }, 'socket auth failed');
			next(new Error('unavailable'));
		}
	});
	staff.on('connection', (socket) => {
		socket.on('subscribe', async (req, ack) => {
			if (typeof ack !== 'function') return;
			let joined: string | null = null;
			try {
				// The session may have been revoked since the socket connected: check again on every subscribe.
				const principal = await authenticate(ctx, staffToken(socket.handshake));
				if (!principal) return ack({ error: { code: 'unauthenticated', message: 'ログインが必要です。' } });
				const q = staffSubscribe.parse(req);
				// R-S01: a viewer or clerk only for a location they serve (a forbidden ack otherwise), checked
				// before the socket joins; then in the room first and the read after it (R-L04, as above).
				await requireLocation(ctx, requireRole(principal, 'viewer'), q.locationId);
				joined = staffRoom(q.locationId, q.date);
				switchRoom(socket, joined);
				ack({ data: await states.staffDay(q.locationId, q.date) });
			} catch (e) {
				if (joined && refused(e)) socket.leave(joined);
				ack(failure(ctx, e));
			}
		});
	});

	const board = io.of(NAMESPACES.board) as unknown as Namespace<BoardClientToServer, BoardServerToClient, Record<string, never>, SocketData>;
	board.use(async (socket, next) => {
		if (!staffNetworkFor(socket.handshake)) return next(new Error('forbidden_network'));
		try {
			const principal = await authenticate(ctx, staffToken(socket.handshake));
			if (principal && hasRole(principal.role, 'viewer')) {
				socket.data.principal = principal;
				socket.join(sessionRoom(principal.sessionId));
				endWithSession(socket, staffToken(socket.handshake));
				return next();
			}
			const grant = await boardTokenGrant(ctx, boardToken(socket.handshake));
			if (grant === null) return next(new Error('unauthenticated'));
			socket.data.boardLocationId = grant.locationId;
			socket.data.boardTokenId = grant.id;
			socket.join(boardTokenRoom(grant.id));
			next();
		} catch (e) {
			ctx.log.error({ err: e }, 'board socket auth failed');
			next(new Error('unavailable'));
		}
	});
	board.on('connection', (socket) => {
		socket.emit('hello', { release });
		socket.on('subscribe', async (req, ack) => {
			if (typeof ack !== 'function') return;
			let joined: string | null = null;
			try {
				const q = boardSubscribe.parse(req);
				// Re-check on every subscribe: the token may have been revoked, or the session ended.
				const allowed = socket.data.principal
					? servesBoard(await authenticate(ctx, staffToken(socket.handshake)), q.locationId)
					: (await boardTokenLocation(ctx, boardToken(socket.handshake))) === q.locationId;
				if (!allowed) throw new AppError('forbidden', 'この交付場所の表示は許可されていません。');
				// in the room first, then the read (R-L04, as above)
				joined = boardRoom(q.locationId);
				switchRoom(socket, joined);
				ack({ data: await states.board(q.locationId) });
			} catch (e) {
				if (joined && refused(e)) socket.leave(joined);
				ack(failure(ctx, e));
			}
		});
	});

	// What other nodes say ended or changed (see publisher.sessionsRevoked / usersChanged below).
	io.on(SESSIONS_ENDED, (ids: unknown, ack?: unknown) => {
		if (Array.isArray(ids)) ctx.sessions?.drop(ids.filter((x): x is string => typeof x === 'string'));
		if (typeof ack === 'function') ack(true);
	});
	// R-S18 / R-C13: another node changed the city's settings or maintenance
	io.on(CITY_CHANGED, () => {
		forgetCity(ctx);
		forgetMaintenance();
	});
	io.on(USERS_CHANGED, (ids: unknown) => {
		if (!Array.isArray(ids)) return;
		const users = ids.filter((x): x is number => typeof x === 'number');
		ctx.sessions?.dropUsers(users);
		recheckUsers(users).catch((e) => ctx.log.error({ err: e }, 'realtime recheck of changed users failed'));
	});

	/**
	 * R-S01: a user's role or served locations changed. This node's staff and board sockets of that
	 * user take the new rights at once: a socket leaves every day or board room of a location the user
	 * no longer serves (no further pushes from it; subscribing there again is refused), and one whose
	 * session no longer answers is cut. Before, the change reached a live socket only at its next subscribe.
	 */
	async function recheckUsers(users: readonly number[]) {
		const changed = new Set(users);
		for (const nsp of [staff, board]) {
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
					const loc = /^(?:staff|board):(\d+)(?::|$)/.exec(room)?.[1];
					if (loc !== undefined && !mayServe(now, Number(loc))) socket.leave(room);
				}
			}
		}
	}

	const coalescer = createCoalescer(
		ctx.config.REALTIME_COALESCE_MS,
		async (key, dates) => {
			const locationId = Number(key);
			// One read for every room of the location (src/lib/server/live/pushes.ts); each emit is
			// encoded once, published once to Redis and written to this node's sockets.
			const pushes = await livePushes(ctx, locationId, dates);
			for (const p of pushes.slots) staff.to(staffRoom(locationId, p.date)).emit('slots', p);
			for (const p of pushes.months) pub.to(publicRoom(locationId, p.month)).emit('availability', p);
			// Boards show today only.
			if (pushes.board) board.to(boardRoom(locationId)).emit('counters', pushes.board);
		},
		(e) => ctx.log.error({ err: e }, 'realtime flush failed')
	);

	const publisher: Publisher = {
		slotsChanged(locationId, dates) {
			coalescer.add(String(locationId), dates);
		},
		cardStatusChanged(changes) {
			// The changes themselves go to staff screens at once (R-L03); counts follow through the coalescer.
			const groups = new Map<string, { locationId: number; date: string; changes: { cardId: string; from: string; to: string }[] }>();
			for (const c of changes) {
				if (c.locationId === null || c.date === null) continue;
				const k = `${c.locationId}|${c.date}`;
				const g = groups.get(k) ?? { locationId: c.locationId, date: c.date, changes: [] };
				g.changes.push({ cardId: c.cardId, from: c.from, to: c.to });
				groups.set(k, g);
			}
			for (const g of groups.values()) {
				staff.to(staffRoom(g.locationId, g.date)).emit('card-status', g);
				coalescer.add(String(g.locationId), [g.date]);
			}
		},
		noticeChanged(banner) {
			// R-O07: every citizen page and wall board, on every node (through the adapter)
			(pub as unknown as { emit(e: string, d: unknown): void }).emit('notice', { banner });
			(board as unknown as { emit(e: string, d: unknown): void }).emit('notice', { banner });
		},
		// Through the adapter, so with Redis the sockets of every node are cut (R-O04), and every
		// node's session cache forgets them (issue 11): here at once, elsewhere by the server-side event.
		async sessionsRevoked(ids) {
			ctx.sessions?.drop(ids);
			for (const id of ids) for (const nsp of [staff, board]) nsp.in(sessionRoom(id)).disconnectSockets(true);
			await toOtherNodesConfirmed(SESSIONS_ENDED, ids);
		},
		usersChanged(ids) {
			ctx.sessions?.dropUsers(ids);
			toOtherNodes(USERS_CHANGED, ids);
			recheckUsers(ids).catch((e) => ctx.log.error({ err: e }, 'realtime recheck of changed users failed'));
		},
		boardTokensRevoked(ids) {
			for (const id of ids) board.in(boardTokenRoom(id)).disconnectSockets(true);
		},
		citySettingsChanged() {
			forgetCity(ctx);
			forgetMaintenance();
			toOtherNodes(CITY_CHANGED, []);
		}
	};

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
