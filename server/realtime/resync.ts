import type { Namespace } from 'socket.io';
import type { AvailabilityPush, BoardCounters, SlotsPush } from '../../src/lib/realtime/events.ts';

/** The current state of each kind of room, read from the database. */
export interface RoomStates {
	publicMonth(locationId: number, month: string): Promise<AvailabilityPush>;
	staffDay(locationId: number, date: string): Promise<SlotsPush>;
	board(locationId: number): Promise<BoardCounters>;
}

type Handshake = { auth?: Record<string, unknown>; headers: Record<string, string | string[] | undefined> };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyNamespace = Namespace<any, any, any, any>;

/**
 * R-L04: after the Redis adapter reconnects, send every room this node serves its current state
 * (only to this node's sockets: each node does the same for its own), and cut sockets whose
 * session or board token ended while Redis was away. The rooms are read from the local adapter,
 * so a node re-sends only what its clients watch.
 */
export async function resendRooms(
	ns: { pub: AnyNamespace; staff: AnyNamespace; board: AnyNamespace },
	states: RoomStates,
	opts: { stillAllowed(data: Record<string, unknown>, handshake: Handshake): Promise<boolean> }
): Promise<{ rooms: number; cut: number }> {
	let cut = 0;
	for (const nsp of [ns.staff, ns.board]) {
		for (const socket of [...nsp.sockets.values()]) {
			if (!(await opts.stillAllowed(socket.data ?? {}, socket.handshake))) {
				socket.disconnect(true);
				cut++;
			}
		}
	}
	let rooms = 0;
	for (const room of [...ns.pub.adapter.rooms.keys()]) {
		const m = /^pub:(\d+):(\d{4}-\d{2})$/.exec(room);
		if (!m) continue;
		ns.pub.local.to(room).emit('availability', await states.publicMonth(Number(m[1]), m[2]));
		rooms++;
	}
	for (const room of [...ns.staff.adapter.rooms.keys()]) {
		const m = /^staff:(\d+):(\d{4}-\d{2}-\d{2})$/.exec(room);
		if (!m) continue;
		ns.staff.local.to(room).emit('slots', await states.staffDay(Number(m[1]), m[2]));
		rooms++;
	}
	for (const room of [...ns.board.adapter.rooms.keys()]) {
		const m = /^board:(\d+)$/.exec(room);
		if (!m) continue;
		ns.board.local.to(room).emit('counters', await states.board(Number(m[1])));
		rooms++;
	}
	return { rooms, cut };
}
