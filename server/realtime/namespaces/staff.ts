import type { Server, Namespace } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../../../src/lib/server/context.ts';
import { authenticate, requireRole } from '../../../src/lib/server/auth/session.ts';
import { requireLocation } from '../../../src/lib/server/auth/scope.ts';
import { hasRole } from '../../../src/lib/domain/roles.ts';
import { AppError } from '../../../src/lib/server/errors.ts';
import { dateString, locationIdParam } from '../../../src/lib/server/schemas.ts';
import { NAMESPACES, type StaffClientToServer, type StaffServerToClient } from '../../../src/lib/realtime/events.ts';
import { endWithSession, fromStaffNetwork, staffToken, type SocketData } from '../handshake.ts';
import type { RoomStates } from '../resync.ts';
import { sessionRoom, staffRoom } from '../rooms.ts';
import { serveSubscribe } from '../subscribe.ts';

export type StaffNamespace = Namespace<StaffClientToServer, StaffServerToClient, Record<string, never>, SocketData>;

const staffSubscribe = z.strictObject({ locationId: locationIdParam, date: dateString });

/** `/staff`: the slots and card statuses of one location and day, for signed-in staff who serve it (R-L03, R-S01). */
export function staffNamespace(io: Server, ctx: AppContext, states: RoomStates): StaffNamespace {
	const staff = io.of(NAMESPACES.staff) as unknown as StaffNamespace;
	staff.use(async (socket, next) => {
		// STAFF_NETWORKS: staff sockets only from the city's networks, before anything is read.
		if (!fromStaffNetwork(ctx, socket.handshake)) return next(new Error('forbidden_network'));
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
		serveSubscribe(ctx, socket, async (req) => {
			// The session may have been revoked since the socket connected: check again on every subscribe.
			const principal = await authenticate(ctx, staffToken(socket.handshake));
			if (!principal) throw new AppError('unauthenticated', 'ログインが必要です。');
			const q = staffSubscribe.parse(req);
			// R-S01: a viewer or clerk only for a location they serve (a forbidden ack otherwise), checked
			// before the socket joins.
			await requireLocation(ctx, requireRole(principal, 'viewer'), q.locationId);
			return { room: staffRoom(q.locationId, q.date), read: () => states.staffDay(q.locationId, q.date) };
		});
	});
	return staff;
}
