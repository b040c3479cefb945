import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * R-O04 request-size limits per route class, counted as the body arrives — a declared
 * Content-Length and a chunked body alike (adapter-node's own BODY_SIZE_LIMIT is one limit for
 * every route, sized for the card files):
 * - the two import endpoints (card creation data R-S02, reservations R-S16): BODY_SIZE_LIMIT (52M);
 * - the staff API and staff forms: 1 MiB;
 * - everything else (citizen and anonymous pages, forms and API): 64 KiB.
 * Over the limit: 413 problem+json at once, and the connection is closed without reading the rest.
 */
export const KIB = 1024;
export const MIB = 1024 * 1024;
const IMPORTS = /^\/(api\/v1\/staff\/imports|staff\/imports)([/?]|$)/;
const STAFF = /^\/(api\/v1\/staff|staff)([/?]|$)/;

export function parseSize(v: string): number {
	const m = /^(\d+)([KMG]?)$/i.exec(v.trim());
	if (!m) return Infinity;
	return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
}

export function bodyLimitFor(url: string, largest: number): number {
	if (IMPORTS.test(url)) return largest;
	if (STAFF.test(url)) return Math.min(largest, MIB);
	return Math.min(largest, 64 * KIB);
}

const TOO_LARGE = JSON.stringify({ type: 'about:blank', title: 'Content Too Large', status: 413, code: 'too_large', detail: '送信されたデータが大きすぎます。' });

function refuse(req: IncomingMessage, res: ServerResponse): void {
	if (res.headersSent) {
		req.socket.destroy();
		return;
	}
	// The connection goes once the answer is out. Closing a socket with unread data makes the kernel
	// send a reset, which may reach the client before it has read the 413; so, as nginx's lingering
	// close does, the node first ends its side and throws away what is still in flight — at most
	// LINGER_BYTES or LINGER_MS, never the rest of a large body — and then closes.
	const socket = req.socket;
	socket.destroySoon = function (this: Socket) {
		this.end();
		let thrown = 0;
		this.on('data', (c: Buffer) => {
			if ((thrown += c.length) > LINGER_BYTES) this.destroy();
		});
		setTimeout(() => this.destroy(), LINGER_MS).unref();
	};
	res.writeHead(413, { 'content-type': 'application/problem+json; charset=utf-8', connection: 'close', 'cache-control': 'no-store' });
	res.end(TOO_LARGE);
}

const LINGER_BYTES = 256 * 1024;
const LINGER_MS = 1000;

/**
 * Returns null when the request was answered (413 for a declared length over the limit).
 * Otherwise a runner for the handler: listeners for 'data', 'end' and 'error' that the handler
 * attaches while it runs (adapter-node's body reader attaches them synchronously when it builds the
 * Request) get the chunks through a counter. At the chunk that crosses the limit the reader hears
 * nothing more — neither that chunk nor an end — so no route ever sees a cut body; the client gets
 * 413 and the connection is closed. The route's pending read is dropped with the request. Node's
 * own listeners (attached outside the runner) are never touched.
 */
export function limitBody(req: IncomingMessage, res: ServerResponse, limit: number): ((handler: () => void) => void) | null {
	if (Number(req.headers['content-length'] ?? 0) > limit) {
		refuse(req, res);
		return null;
	}
	if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return (handler) => handler();
	let size = 0;
	let over = false;
	return (handler) => {
		const on = req.on;
		const addListener = req.addListener;
		const wrapped = function (this: IncomingMessage, event: string | symbol, listener: (...args: unknown[]) => void) {
			let counted = listener;
			if (event === 'data') {
				counted = function (this: unknown, chunk: unknown) {
					if (over) return;
					size += (chunk as Buffer).length;
					if (size > limit) {
						over = true;
						req.pause();
						refuse(req, res);
						return;
					}
					listener.call(this, chunk);
				};
			} else if (event === 'end' || event === 'error') {
				counted = function (this: unknown, ...args: unknown[]) {
					if (!over) listener.apply(this, args);
				};
			}
			return on.call(this, event, counted);
		};
		req.on = wrapped as IncomingMessage['on'];
		req.addListener = wrapped as IncomingMessage['addListener'];
		try {
			handler();
		} finally {
			req.on = on;
			req.addListener = addListener;
		}
	};
}
