import type { AppContext, Publisher } from '../../src/lib/server/context.ts';
import { livePushes } from '../../src/lib/server/live/pushes.ts';
import { forgetCity } from '../../src/lib/server/city/cache.ts';
import { forgetMaintenance } from '../../src/lib/server/citizen/maintenance.ts';
import type { CardStatusPush } from '../../src/lib/realtime/events.ts';
import { createCoalescer } from './coalescer.ts';
import { boardRoom, boardTokenRoom, publicRoom, sessionRoom, staffRoom } from './rooms.ts';
import type { NodeTellers } from './nodes.ts';
import type { PublicNamespace } from './namespaces/public.ts';
import type { StaffNamespace } from './namespaces/staff.ts';
import type { BoardNamespace } from './namespaces/board.ts';

type Namespaces = { pub: PublicNamespace; staff: StaffNamespace; board: BoardNamespace };

/**
 * The Publisher that use cases call after commit. Emitting to a room goes through the adapter, so
 * with Redis every node's subscribers receive it (R-L04). Slot changes are coalesced per location.
 */
export function createPublisher(ctx: AppContext, { pub, staff, board }: Namespaces, nodes: NodeTellers, recheckUsers: (ids: readonly number[]) => Promise<void>) {
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
	const recheck = (ids: readonly number[]) => recheckUsers(ids).catch((e) => ctx.log.error({ err: e }, 'realtime recheck of changed users failed'));

	const publisher: Publisher = {
		slotsChanged(locationId, dates) {
			coalescer.add(String(locationId), dates);
		},
		cardStatusChanged(changes) {
			// The changes themselves go to staff screens at once (R-L03); counts follow through the coalescer.
			const groups = new Map<string, CardStatusPush>();
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
			pub.emit('notice', { banner });
			board.emit('notice', { banner });
		},
		// Through the adapter, so with Redis the sockets of every node are cut (R-O04), and every
		// node's session cache forgets them (issue 11): here at once, elsewhere by the server-side event.
		async sessionsRevoked(ids) {
			ctx.sessions?.drop(ids);
			for (const id of ids) for (const nsp of [staff, board]) nsp.in(sessionRoom(id)).disconnectSockets(true);
			await nodes.sessionsEnded(ids);
		},
		usersChanged(ids) {
			ctx.sessions?.dropUsers(ids);
			nodes.usersChanged(ids);
			recheck(ids);
		},
		boardTokensRevoked(ids) {
			for (const id of ids) board.in(boardTokenRoom(id)).disconnectSockets(true);
		},
		citySettingsChanged() {
			forgetCity(ctx);
			forgetMaintenance();
			nodes.cityChanged();
		}
	};
	return { publisher, coalescer };
}
