/** The rooms of the hub: what a socket watches, and who it is (so a logout can cut it on every node). */
export const publicRoom = (locationId: number, month: string) => `pub:${locationId}:${month}`;
export const staffRoom = (locationId: number, date: string) => `staff:${locationId}:${date}`;
export const boardRoom = (locationId: number) => `board:${locationId}`;
/** Rooms a socket keeps for its whole life, so that logout and revocation can cut it on every node. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const boardTokenRoom = (tokenId: number) => `board-token:${tokenId}`;
const isIdentityRoom = (r: string) => r.startsWith('session:') || r.startsWith('board-token:');

/** The location a day or board room belongs to, or undefined for any other room. */
export const roomLocation = (room: string): number | undefined => {
	const loc = /^(?:staff|board):(\d+)(?::|$)/.exec(room)?.[1];
	return loc === undefined ? undefined : Number(loc);
};

/** Leaves every room but the socket's own (and its identity room) before joining the one it asked for. */
export function switchRoom(socket: { rooms: Set<string>; id: string; leave(r: string): unknown; join(r: string): unknown }, room: string) {
	for (const r of socket.rooms) if (r !== socket.id && !isIdentityRoom(r)) socket.leave(r);
	socket.join(room);
}
