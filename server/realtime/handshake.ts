import { parse as parseCookie } from 'cookie';
import jwt from 'jsonwebtoken';
import type { AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { SESSION_COOKIE } from '../../src/lib/server/auth/cookie.ts';
import { BOARD_COOKIE } from '../../src/lib/server/board/tokens.ts';
import { resolveClientAddress, staffNetworkAllows } from '../../src/lib/server/security/address.ts';

export type Handshake = { auth?: Record<string, unknown>; headers: Record<string, string | string[] | undefined>; address?: string };

/** A staff or board socket is either a signed-in staff member (the locations they serve) or a board token (its one location). */
export type SocketData = { principal?: Principal; boardLocationId?: number; boardTokenId?: number };

function cookieOf(handshake: Handshake, name: string): string | null {
	const raw = handshake.headers.cookie;
	const header = Array.isArray(raw) ? raw.join('; ') : raw;
	return header ? (parseCookie(header)[name] ?? null) : null;
}

export function staffToken(handshake: Handshake): string | null {
	if (typeof handshake.auth?.token === 'string') return handshake.auth.token;
	return cookieOf(handshake, SESSION_COOKIE);
}

export function boardToken(handshake: Handshake): string | null {
	if (typeof handshake.auth?.boardToken === 'string') return handshake.auth.boardToken;
	return cookieOf(handshake, BOARD_COOKIE);
}

/** STAFF_NETWORKS: staff and board sockets only from the city's networks (the same client address as for HTTP). */
export function fromStaffNetwork(ctx: AppContext, handshake: Handshake): boolean {
	const where = resolveClientAddress(handshake.headers, handshake.address, ctx.config);
	return where.ok && staffNetworkAllows(ctx.config, where.address);
}

/** A staff socket ends when its session expires (R-S01), not only on logout. */
export function endWithSession(socket: { disconnect(close: boolean): unknown; once(ev: 'disconnect', fn: () => void): unknown }, token: string | null) {
	const exp = token ? (jwt.decode(token) as { exp?: number } | null)?.exp : undefined;
	if (!exp) return;
	const timer = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1)));
	timer.unref();
	socket.once('disconnect', () => clearTimeout(timer));
}
