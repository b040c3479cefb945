import type { Server, Namespace } from 'socket.io';
import { z } from 'zod';
import type { AppContext } from '../../../src/lib/server/context.ts';
import { locationIdParam, monthString } from '../../../src/lib/server/schemas.ts';
import { NAMESPACES, type AvailabilityPush, type PublicClientToServer, type PublicServerToClient } from '../../../src/lib/realtime/events.ts';
import { createSharedReads } from '../shared-read.ts';
import { limitPublicConnections, limitPublicEvents } from '../public-limits.ts';
import type { RoomStates } from '../resync.ts';
import { publicRoom } from '../rooms.ts';
import { serveSubscribe } from '../subscribe.ts';

export type PublicNamespace = Namespace<PublicClientToServer, PublicServerToClient>;

const publicSubscribe = z.strictObject({ locationId: locationIdParam, month: monthString });

/** `/public`: citizens' calendars, levels only (R-C05), open to anyone but limited per address (R-O04). */
export function publicNamespace(io: Server, ctx: AppContext, states: RoomStates): PublicNamespace {
	const pub = io.of(NAMESPACES.public) as unknown as PublicNamespace;
	// Citizens' calendars come in crowds (a node restarting, its clients reconnecting at once): the
	// subscribes to one month share their reads (server/realtime/shared-read.ts).
	const monthRead = createSharedReads<AvailabilityPush>();
	// R-O04: open connections per address, and events per socket and per address, are limited.
	pub.use(limitPublicConnections(ctx) as unknown as Parameters<typeof pub.use>[0]);
	pub.on('connection', (socket) => {
		socket.use(limitPublicEvents(ctx, socket as never));
		serveSubscribe(ctx, socket, async (req) => {
			const q = publicSubscribe.parse(req);
			const room = publicRoom(q.locationId, q.month);
			return { room, read: () => monthRead(room, () => states.publicMonth(q.locationId, q.month)) };
		});
	});
	return pub;
}
