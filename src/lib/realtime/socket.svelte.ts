import { io, type Socket } from 'socket.io-client';
import type { BoardClientToServer, BoardServerToClient, PublicClientToServer, PublicServerToClient, StaffClientToServer, StaffServerToClient } from './events.ts';

/** The browser's sockets, typed by the event maps the server uses (src/lib/realtime/events.ts). */
export type PublicSocket = Socket<PublicServerToClient, PublicClientToServer>;
export type StaffSocket = Socket<StaffServerToClient, StaffClientToServer>;
export type BoardSocket = Socket<BoardServerToClient, BoardClientToServer>;
/** What the emergency banner listens to, on a `/public` or a `/board` socket (R-O07). */
export interface NoticeSocket {
	on(event: 'notice', listener: PublicServerToClient['notice'] & BoardServerToClient['notice']): unknown;
	off(event: 'notice', listener: PublicServerToClient['notice'] & BoardServerToClient['notice']): unknown;
}
type AnySocket = PublicSocket | StaffSocket | BoardSocket;

/**
 * The one browser socket module (STYLE habit 7): websocket transport only, a reactive
 * `connected` flag for the indicator, and `onConnect` run after every (re)connect so the page
 * re-fetches its full state instead of trusting what it held while offline (R-L04).
 */
export interface LiveConnection<S extends AnySocket> {
	readonly socket: S;
	readonly status: { connected: boolean; everConnected: boolean };
	close(): void;
}

export function connectLive<S extends AnySocket>(namespace: string, onConnect: (socket: S) => void, auth?: Record<string, string>): LiveConnection<S> {
	const status = $state({ connected: false, everConnected: false });
	const raw: Socket = io(namespace, {
		transports: ['websocket'],
		withCredentials: true,
		reconnectionDelay: 500,
		reconnectionDelayMax: 3000,
		...(auth ? { auth } : {})
	});
	const socket = raw as unknown as S;
	raw.on('connect', () => {
		status.connected = true;
		status.everConnected = true;
		onConnect(socket);
	});
	raw.on('disconnect', () => {
		status.connected = false;
	});
	raw.on('connect_error', () => {
		status.connected = false;
	});
	return { socket, status, close: () => raw.close() };
}
