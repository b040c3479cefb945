import { io, type Socket } from 'socket.io-client';

/**
 * The one browser socket module (STYLE habit 7): websocket transport only, a reactive
 * `connected` flag for the indicator, and `onConnect` run after every (re)connect so the page
 * re-fetches its full state instead of trusting what it held while offline (R-L04).
 */
export interface LiveConnection<S extends Socket> {
	readonly socket: S;
	readonly status: { connected: boolean; everConnected: boolean };
	close(): void;
}

export function connectLive<S extends Socket>(namespace: string, onConnect: (socket: S) => void, auth?: Record<string, string>): LiveConnection<S> {
	const status = $state({ connected: false, everConnected: false });
	const socket = io(namespace, {
		transports: ['websocket'],
		withCredentials: true,
		reconnectionDelay: 500,
		reconnectionDelayMax: 3000,
		...(auth ? { auth } : {})
	}) as unknown as S;
	socket.on('connect', () => {
		status.connected = true;
		status.everConnected = true;
		onConnect(socket);
	});
	socket.on('disconnect', () => {
		status.connected = false;
	});
	socket.on('connect_error', () => {
		status.connected = false;
	});
	return { socket, status, close: () => socket.close() };
}
