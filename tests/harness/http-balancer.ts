import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

/**
 * An HTTP-aware balancer for release tests (R-O08, R-O01), standing in for HAProxy or a cloud
 * balancer with active health checks in front of the production nodes:
 * - every `checkEveryMs` it asks each backend's /readyz; a node answering 503 (draining, down) or
 *   not at all leaves the rotation, and comes back as soon as it answers 200 again;
 * - requests go round-robin over the ready backends (while none is ready, over those that still
 *   accept connections: a draining or slow node still serves);
 * - websocket upgrades pass through (Socket.IO);
 * - a request is sent to another backend only when the connection to the first one failed before
 *   it was established (refused or reset on connect), so nothing of the request reached it. Once
 *   connected, a failure is answered 502 and counted, never retried: the backend may have booked.
 *
 * The proxying itself is http-proxy-3 (a maintained TypeScript rewrite of http-proxy for Node 22+).
 * Backend connections are not kept alive (agent: false): a keep-alive connection that the backend
 * closes just as a request is written on it is the one failure a balancer cannot retry safely.
 */
export interface BalancerStats {
	/** requests answered, by backend port */
	served: Record<number, number>;
	/** requests sent on to another backend after a connect failure */
	retried: number;
	/** requests the balancer itself had to fail (502): each one a failure a client saw */
	failed: number;
	/** websocket upgrades, by backend port */
	upgrades: Record<number, number>;
}

export interface HttpBalancerOptions {
	checkEveryMs?: number;
	/**
	 * How X-Forwarded-For is written: 'set' (default) replaces whatever the client sent with its
	 * address; 'append' adds it to the client's list, as nginx's `$proxy_add_x_forwarded_for` does —
	 * what the node's XFF_DEPTH=1 must see through (the client's own entries stay on the left).
	 */
	forwardedFor?: 'set' | 'append';
}

export async function startHttpBalancer(backends: { port: number }[], opts: HttpBalancerOptions = {}) {
	const checkEveryMs = opts.checkEveryMs ?? 200;
	// ready: /readyz answered 200; down: the connection was refused (the process is not there);
	// neither: it answered 503 (draining, database down) or too slowly.
	const pool = backends.map((b) => ({ port: b.port, target: `http://127.0.0.1:${b.port}`, ready: false, down: false }));
	const stats: BalancerStats = { served: {}, retried: 0, failed: 0, upgrades: {} };
	const proxy = createProxyServer({ agent: false, xfwd: false, proxyTimeout: 30_000 });
	proxy.setMaxListeners(0);
	// A backend that goes away mid-response (a node killed, not drained) ends that response early: the
	// client sees the failure; the balancer itself must not fall over.
	proxy.on('proxyRes', (proxyRes) => proxyRes.on('error', () => undefined));
	proxy.on('error', (_err, _req, resOrSocket) => {
		if (resOrSocket && 'destroy' in resOrSocket) (resOrSocket as Socket).destroy();
	});
	let next = 0;

	async function check(b: (typeof pool)[number]) {
		const r = await fetch(`${b.target}/readyz`, { signal: AbortSignal.timeout(1500) }).then(
			async (res) => (await res.body?.cancel().catch(() => undefined), res.status),
			(e: Error) => ((e.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED' ? 'down' : 'slow')
		);
		b.ready = r === 200;
		b.down = r === 'down';
	}
	await Promise.all(pool.map(check));
	let checking = false;
	const timer = setInterval(() => {
		if (checking) return;
		checking = true;
		void Promise.all(pool.map(check)).finally(() => (checking = false));
	}, checkEveryMs);

	/** The backends to try for one request, the next ready one first. */
	function order() {
		const ready = pool.filter((b) => b.ready);
		const up = pool.filter((b) => !b.down);
		const list = ready.length ? ready : up.length ? up : pool;
		const start = next++ % list.length;
		return [...list.slice(start), ...list.slice(0, start), ...pool.filter((b) => !list.includes(b))];
	}

	// Written once per request, so a retry does not add a second address.
	function forwardHeaders(req: IncomingMessage) {
		const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
		const sent = req.headers['x-forwarded-for'];
		req.headers['x-forwarded-for'] = opts.forwardedFor === 'append' && sent ? `${Array.isArray(sent) ? sent.join(', ') : sent}, ${peer}` : peer;
		req.headers['x-forwarded-proto'] = 'http';
	}

	const server = createServer(async (req, res) => {
		forwardHeaders(req);
		// The body is read first so that it can be sent again to the next backend after a connect failure.
		const chunks: Buffer[] = [];
		try {
			for await (const c of req) chunks.push(c as Buffer);
		} catch {
			return res.destroy(); // the client went away while sending
		}
		const body = Buffer.concat(chunks);
		const candidates = order();
		let servedBy = candidates[0].port;
		res.once('finish', () => (stats.served[servedBy] = (stats.served[servedBy] ?? 0) + 1));
		const attempt = (i: number) => {
			const b = candidates[i];
			servedBy = b.port;
			let connected = false;
			// http-proxy-3 names the backend socket of each request: note whether it ever connected.
			const onProxyReq = (_p: unknown, r: IncomingMessage, _res: unknown, _o: unknown, socket: Socket) => {
				if (r !== req) return;
				proxy.off('proxyReq', onProxyReq);
				if (socket.connecting) socket.once('connect', () => (connected = true));
				else connected = true;
			};
			proxy.on('proxyReq', onProxyReq);
			proxy.web(req, res, { target: b.target, buffer: Readable.from([body]) }, (err) => {
				proxy.off('proxyReq', onProxyReq);
				const code = (err as NodeJS.ErrnoException).code;
				if (!connected && (code === 'ECONNREFUSED' || code === 'ECONNRESET') && i + 1 < candidates.length && !res.headersSent) {
					stats.retried++;
					return attempt(i + 1);
				}
				stats.failed++;
				if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/problem+json; charset=utf-8' });
				res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: `balancer: ${code ?? err.message}` }));
			});
		};
		attempt(0);
	});
	server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
		// Once upgraded, the http server no longer handles this socket's errors (a write to a browser
		// that went away): they are ours.
		socket.on('error', () => socket.destroy());
		forwardHeaders(req);
		const [b] = order();
		stats.upgrades[b.port] = (stats.upgrades[b.port] ?? 0) + 1;
		// A websocket whose backend is gone is closed; the Socket.IO client reconnects through us to a ready one.
		proxy.ws(req, socket, head, { target: b.target }, () => socket.destroy());
	});
	const open = new Set<Socket>();
	server.on('connection', (s: Socket) => {
		open.add(s);
		s.on('close', () => open.delete(s));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		stats,
		/** which backends the health checks count as ready now */
		ready: () => pool.filter((b) => b.ready).map((b) => b.port),
		close: () =>
			new Promise<void>((r) => {
				clearInterval(timer);
				for (const s of open) s.destroy();
				proxy.close();
				server.close(() => r());
			})
	};
}

export type HttpBalancer = Awaited<ReturnType<typeof startHttpBalancer>>;
