import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configFromEnvOrExit } from '../src/lib/server/config.ts';
import { createLogger } from '../src/lib/server/log.ts';
import { DEMO_STAFF } from '../db/seeds/demo-data.ts';
import compression from 'compression';
import { boot } from './boot.ts';
import { bodyLimitFor, limitBody, parseSize } from './body-limit.ts';
import { ADDRESS_PROBLEM, missingHeaderMessage, RESOLVED_ADDRESS_HEADER, resolveClientAddress } from '../src/lib/server/security/address.ts';

/**
 * Production entry: one http server carrying the SvelteKit handler (adapter-node build) and
 * Socket.IO on the same port.
 */
const config = configFromEnvOrExit();
const log = createLogger(config.LOG_LEVEL);

// adapter-node builds URLs from ORIGIN; set it only when the operator fixed the public origin,
// otherwise the Host header is used (so http://127.0.0.1:3000 works as well as localhost).
if (config.PUBLIC_ORIGIN) process.env.ORIGIN = config.PUBLIC_ORIGIN;
// Without ORIGIN, adapter-node takes the protocol from PROTOCOL_HEADER and otherwise assumes
// https, which would fail kit's CSRF origin check and mark cookies Secure on plain http. This
// server speaks plain http itself; a TLS-terminating proxy in front sets X-Forwarded-Proto.
if (!config.PUBLIC_ORIGIN) process.env.PROTOCOL_HEADER = 'x-forwarded-proto';
// adapter-node refuses bodies over 512 KB by default; a card creation data file (R-S02) may be tens
// of MB. The import endpoint enforces its own 50 MB limit while it streams; an operator may set another.
process.env.BODY_SIZE_LIMIT ??= '52M';
// R-C14 R-O04: the client address is resolved once per request below (ADDRESS_HEADER / XFF_DEPTH,
// src/lib/server/security/address.ts) and handed to adapter-node in a header of our own, which
// every request has overwritten; adapter-node's own reading of ADDRESS_HEADER (which throws a 500
// when the header is absent) is never used.
process.env.ADDRESS_HEADER = RESOLVED_ADDRESS_HEADER;
delete process.env.XFF_DEPTH;

const handlerPath = fileURLToPath(new URL('../build/handler.js', import.meta.url));
if (!existsSync(handlerPath)) {
	console.error('build/handler.js is missing: run `npm run build` first (npm start does it for you).');
	process.exit(1);
}

// The release this node runs: RELEASE when the operator names it (a tag, a commit), otherwise the
// version the browser bundle was built as. Boards compare it on every reconnect with the release of
// the node that served their page, and reload themselves after a deploy (R-L02, R-O08).
const versionFile = fileURLToPath(new URL('../build/client/_app/version.json', import.meta.url));
const release = config.RELEASE ?? (existsSync(versionFile) ? String(JSON.parse(readFileSync(versionFile, 'utf8')).version) : 'unknown');

const server = createServer();
const app = await boot(config, server, log, { release });
const { handler } = await import(pathToFileURL(handlerPath).href);

// R-O04 request-size limits per route class, counted as the body arrives (server/body-limit.ts).
const largestBody = parseSize(process.env.BODY_SIZE_LIMIT ?? '512K');
// Responses are compressed by Accept-Encoding (brotli, then gzip) when their type is compressible
// (HTML, JSON, CSV, JS, CSS, SVG — not images, PDFs or the precompressed assets adapter-node serves
// with a Content-Encoding already) and at least 1 KiB. Socket.IO never passes here.
const compress = compression({ threshold: 1024 });

server.on('request', (req, res) => {
	// Socket.IO answers its own path on the same server.
	if (req.url?.startsWith('/socket.io/')) return;
	const withBodyLimit = limitBody(req, res, bodyLimitFor(req.url ?? '/', largestBody));
	if (!withBodyLimit) return;
	if (!config.PUBLIC_ORIGIN && !req.headers['x-forwarded-proto']) req.headers['x-forwarded-proto'] = 'http';
	// Draining (R-O08): still served, but the connection is not kept, so the next request of this
	// client or balancer opens a new connection, which goes to a node that stays.
	if (app.draining) res.setHeader('connection', 'close');
	app.observe(req, res);
	// Health checks and scrapes come straight from the balancer or Prometheus, without the proxy's header.
	if (app.ops(req, res)) return;
	const where = resolveClientAddress(req.headers, req.socket.remoteAddress, config);
	if (!where.ok) {
		log.error({ header: where.header, reason: where.reason }, missingHeaderMessage(where));
		res.writeHead(400, { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
		res.end(JSON.stringify(ADDRESS_PROBLEM));
		return;
	}
	req.headers[RESOLVED_ADDRESS_HEADER] = where.address;
	withBodyLimit(() => compress(req as never, res as never, () => handler(req, res)));
});

server.listen(config.PORT, config.HOST, () => {
	const port = (server.address() as { port: number }).port;
	const origin = config.PUBLIC_ORIGIN ?? `http://localhost:${port}`;
	log.info({ port, database: app.databaseMode, realtime: app.ctx.redis.mode }, 'listening');
	const lines = [
		'',
		`  マイナンバーカード交付予約 — ${origin}`,
		`    市民向け (citizen):   ${origin}/`,
		`    職員 (staff):         ${origin}/staff/login`
	];
	if (app.mailViewUrl) lines.push(`    メール (demo mail view):  ${app.mailViewUrl}`);
	if (app.demo) {
		// R-O05: a password the operator set is never written to the log; a generated one must be shown once.
		lines.push(`    デモ職員 (demo staff), password ${app.demo.generated ? `${app.demo.password}  (generated; set DEMO_PASSWORD to fix it)` : 'DEMO_PASSWORD の値 (the value of DEMO_PASSWORD)'}`);
		for (const s of DEMO_STAFF) lines.push(`      ${s.login.padEnd(11)} ${s.role}`);
	}
	console.log(lines.join('\n') + '\n');
});

/**
 * Graceful shutdown for rolling restarts (R-O08, R-O01), in the order a balancer needs:
 * 1. drain: /readyz answers 503 "draining" at once while every request is still served, for
 *    SHUTDOWN_DRAIN_MS, so health checks (HAProxy, an ALB, the test balancer) take the node out of
 *    rotation before anything is refused; responses carry Connection: close meanwhile.
 * 2. stop accepting: new connections are refused (a balancer retries a refused connect on another
 *    node, which is safe: nothing was sent), idle keep-alive connections are closed, and closed again
 *    as each busy one finishes its response.
 * 3. close this node's sockets without a disconnect packet, so every client reconnects by itself,
 *    through the balancer, to another node and re-fetches its state there (R-L04).
 * 4. wait for in-flight requests, then stop the jobs (pg-boss, graceful), Redis and the database pool.
 * A second signal, or SHUTDOWN_TIMEOUT_MS after the drain, exits at once with status 1.
 */
let stopping = false;
async function shutdown(signal: string) {
	if (stopping) process.exit(1);
	stopping = true;
	log.info({ signal, drainMs: config.SHUTDOWN_DRAIN_MS }, 'shutting down: draining');
	app.drain();
	await new Promise((r) => setTimeout(r, config.SHUTDOWN_DRAIN_MS));
	const force = setTimeout(() => {
		log.warn('shutdown timed out; exiting');
		process.exit(1);
	}, config.SHUTDOWN_TIMEOUT_MS);
	force.unref();
	log.info('shutting down: no new connections');
	const closed = new Promise<void>((r) => server.close(() => r()));
	server.closeIdleConnections();
	const idle = setInterval(() => server.closeIdleConnections(), 100);
	await app.realtime.close();
	await closed;
	clearInterval(idle);
	await app.close();
	log.info('stopped');
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
