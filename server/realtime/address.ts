/**
 * The client address of a socket, read in this one place (per-address limits on /public, R-O04):
 * the same rule as for HTTP requests (src/lib/server/security/address.ts), so behind the city's
 * proxy (ADDRESS_HEADER / XFF_DEPTH) each citizen counts as one, never the proxy (R-C14).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { resolveClientAddress, type AddressSettings } from '../../src/lib/server/security/address.ts';

export interface AddressedSocket {
	handshake: { address: string; headers: IncomingHttpHeaders };
}

export function socketAddress(socket: AddressedSocket, config: AddressSettings): string {
	const where = resolveClientAddress(socket.handshake.headers, socket.handshake.address, config);
	// A handshake without the configured header is refused before it connects (hub.ts allowRequest).
	return where.ok ? where.address : socket.handshake.address || 'unknown';
}
