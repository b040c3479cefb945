/**
 * The client address of an HTTP request or a Socket.IO handshake (R-C14, R-O04, R-O05): every
 * per-address limit (citizen verification lockout, the citizen request rate, staff logins), the
 * staff network check and the audit log read it from here, and only from here.
 *
 * Behind a reverse proxy the socket's peer is the proxy, so every citizen of the city would share
 * one address. With `ADDRESS_HEADER` set, the address comes from that header instead — and only at
 * the depth the operator trusts: for X-Forwarded-For the XFF_DEPTH-th entry from the right (1 = the
 * address the proxy in front of the node saw). Entries further left were written by the client and
 * are never trusted, so a client that sends its own X-Forwarded-For cannot take another address.
 * A request without the header (it went round the proxy, or the proxy is misconfigured) is refused
 * with 400: it is never counted under the proxy's address.
 */
import { BlockList, isIP } from 'node:net';

/**
 * In production (server/index.ts) the resolved address travels to SvelteKit in this header, which
 * the node overwrites on every request (so a client cannot send it); adapter-node's
 * `getClientAddress()` reads it. Routes keep calling `event.getClientAddress()`.
 */
export const RESOLVED_ADDRESS_HEADER = 'x-mynumber-client-address';

export interface AddressSettings {
	/** lower-case header name, e.g. x-forwarded-for or x-real-ip; unset: the socket's peer */
	ADDRESS_HEADER?: string;
	/** with ADDRESS_HEADER=x-forwarded-for: how many proxies from the right are trusted (default 1) */
	XFF_DEPTH?: number;
}

export type ResolvedAddress = { ok: true; address: string } | { ok: false; header: string; reason: 'missing' | 'too_few_entries' | 'not_an_address' };

type HeaderBag = Record<string, string | string[] | undefined>;

/** `::ffff:127.0.0.1` → `127.0.0.1`; brackets and zone ids off; '' when it is no IP address. */
export function normaliseAddress(raw: string | undefined | null): string {
	let a = (raw ?? '').trim();
	if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
	a = a.replace(/%.*$/, '');
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
	if (mapped) a = mapped[1];
	return isIP(a) ? a.toLowerCase() : '';
}

/** The one resolution used for HTTP requests and Socket.IO handshakes. */
export function resolveClientAddress(headers: HeaderBag, socketAddress: string | undefined, s: AddressSettings): ResolvedAddress {
	const header = s.ADDRESS_HEADER?.toLowerCase();
	if (!header) return { ok: true, address: normaliseAddress(socketAddress) || 'unknown' };
	const raw = headers[header];
	const value = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).trim();
	if (!value) return { ok: false, header, reason: 'missing' };
	let picked: string;
	if (header === 'x-forwarded-for') {
		const entries = value
			.split(',')
			.map((e) => e.trim())
			.filter(Boolean);
		const depth = s.XFF_DEPTH ?? 1;
		if (entries.length < depth) return { ok: false, header, reason: 'too_few_entries' };
		picked = entries[entries.length - depth];
	} else {
		picked = value;
	}
	const address = normaliseAddress(picked);
	return address ? { ok: true, address } : { ok: false, header, reason: 'not_an_address' };
}

/** The error-level log line for a refused request: which header, and what the operator must do. No path, no address. */
export function missingHeaderMessage(r: Extract<ResolvedAddress, { ok: false }>): string {
	const what = r.reason === 'missing' ? 'is missing' : r.reason === 'too_few_entries' ? 'has fewer entries than XFF_DEPTH' : 'does not hold an IP address';
	return `client address header ${r.header} ${what}: the reverse proxy in front of this node must set it (ADDRESS_HEADER/XFF_DEPTH); request refused with 400`;
}

/** RFC 9457 body of the 400 a request without a usable address header gets. */
export const ADDRESS_PROBLEM = {
	type: 'about:blank',
	title: 'Bad Request',
	status: 400,
	code: 'client_address_missing',
	detail: '接続元を確認できないため、要求を受け付けられません。'
};

/**
 * A list of networks (`10.0.0.0/8, 192.168.10.0/24, 2001:db8::/32`, a plain address = one host).
 * Throws with the offending entry when one is not a network.
 */
export function parseNetworks(list: string): BlockList {
	const b = new BlockList();
	for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
		const [addr, bits, extra] = entry.split('/');
		const a = normaliseAddress(addr);
		const family = isIP(a);
		const max = family === 6 ? 128 : 32;
		const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
		if (!family || extra !== undefined || !(prefix >= 0 && prefix <= max)) throw new Error(`"${entry}" is not an address or CIDR network`);
		b.addSubnet(a, prefix, family === 6 ? 'ipv6' : 'ipv4');
	}
	return b;
}

const cache = new Map<string, BlockList>();
/** True when `address` lies in one of `list`'s networks (the list parsed once). */
export function inNetworks(list: string, address: string): boolean {
	let b = cache.get(list);
	if (!b) cache.set(list, (b = parseNetworks(list)));
	const a = normaliseAddress(address);
	const family = isIP(a);
	return family !== 0 && b.check(a, family === 6 ? 'ipv6' : 'ipv4');
}

/** Loopback: 127.0.0.0/8 and ::1 (an IPv4-mapped loopback is normalised first). */
export function isLoopback(address: string | undefined): boolean {
	const a = normaliseAddress(address);
	return a === '::1' || a.startsWith('127.');
}

/** STAFF_NETWORKS: staff pages, the staff API and the staff/board sockets from these networks only; unset: from anywhere. */
export function staffNetworkAllows(config: { STAFF_NETWORKS?: string }, address: string): boolean {
	return !config.STAFF_NETWORKS || inNetworks(config.STAFF_NETWORKS, address);
}

/** The paths STAFF_NETWORKS closes: staff pages (login included), the staff API, the wall boards. */
export function isStaffNetworkPath(path: string): boolean {
	return /^\/(staff|board|api\/v1\/staff)(\/|$)/.test(path);
}
