/**
 * The client address of a socket, read in this one place (per-address limits on /public, R-O04).
 * Today the TCP peer; honouring a trusted proxy's header belongs here too, so every limit follows.
 */
export interface AddressedSocket {
	handshake: { address: string };
}

export function socketAddress(socket: AddressedSocket): string {
	return socket.handshake.address || 'unknown';
}
