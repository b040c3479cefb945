import type { Server, Namespace } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../../../src/lib/server/context.ts';
import { authenticate, type Principal } from '../../../src/lib/server/auth/session.ts';
import { hasRole } from '../../../src/lib/domain/roles.ts';
import { mayServe } from '../../../src/lib/domain/scope.ts';
import { AppError } from '../../../src/lib/server/errors.ts';
import { locationIdParam } from '../../../src/lib/server/schemas.ts';
import { boardTokenGrant, boardTokenLocation } from '../../../src/lib/server/board/tokens.ts';
import { NAMESPACES, type BoardClientToServer, type BoardServerToClient } from '../../../src/lib/realtime/events.ts';
import { boardToken, endWithSession, fromStaffNetwork, staffToken, type SocketData } from '../handshake.ts';
import type { RoomStates } from '../resync.ts';
import { boardRoom, boardTokenRoom, sessionRoom } from '../rooms.ts';
import { serveSubscribe } from '../subscribe.ts';

export type BoardNamespace = Namespace<BoardClientToServer, BoardServerToClient, Record<string, never>, SocketData>;

const boardSubscribe = z.strictObject({ locationId: locationIdParam });

/** A staff login opens a board only of a location it serves (R-S01); board tokens are per location already. */
const servesBoard = (p: Principal | null, locationId: number) => p !== null && mayServe(p, locationId);

/** `/board`: today's counters of one location for a wall board (R-L02), by a staff login or a board token. */
export function boardNamespace(io: Server, ctx: AppContext, states: RoomStates, release: string): BoardNamespace {
	const board = io.of(NAMESPACES.board) as unknown as BoardNamespace;
	board.use(async (socket, next) => {
		if (!fromStaffNetwork(ctx, socket.handshake)) return next(new Error('forbidden_network'));
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
		serveSubscribe(ctx, socket, async (req) => {
			const q = boardSubscribe.parse(req);
			// Re-check on every subscribe: the token may have been revoked, or the session ended.
			const allowed = socket.data.principal
				? servesBoard(await authenticate(ctx, staffToken(socket.handshake)), q.locationId)
				: (await boardTokenLocation(ctx, boardToken(socket.handshake))) === q.locationId;
			if (!allowed) throw new AppError('forbidden', 'この交付場所の表示は許可されていません。');
			return { room: boardRoom(q.locationId), read: () => states.board(q.locationId) };
		});
	});
	return board;
}
