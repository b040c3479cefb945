/**
 * Baseline for the fan-out benchmark: a bare Socket.IO server, as close to the app's hub as a
 * server without the app can be — same options, namespace `/public`, `subscribe` acked and joined
 * to one room, @socket.io/redis-adapter over the `redis` client — but no database, no zod, no
 * coalescer. Run as a child process (so its memory and CPU are its own) by fanout.ts:
 *   PORT, HOST, REDIS_URL, REDIS_KEY, BENCH_PAYLOAD (the app's availability push, JSON)
 * HTTP: POST /emit?version=V emits the payload with that version to the room and answers
 * {emittedAt} (wall-clock ms); GET /stats answers {rss, heapUsed, cpuSeconds, clients};
 * GET /healthz answers once the adapter is attached.
 */
import { createServer } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import { Server } from 'socket.io';
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = process.env.REDIS_KEY ?? 'bench-bare';
const template = JSON.parse(process.env.BENCH_PAYLOAD ?? '{}') as Record<string, unknown>;
const ROOM = 'pub:bench';

const server = createServer();
// The app hub's options (server/realtime/hub.ts).
const io = new Server(server, { serveClient: false, cors: { origin: false }, pingInterval: 10_000, pingTimeout: 8_000 });
const pub = io.of('/public');
pub.on('connection', (socket) => {
	socket.on('subscribe', (_req: unknown, ack: unknown) => {
		if (typeof ack !== 'function') return;
		socket.join(ROOM);
		ack({ data: template });
	});
});

const redisPub = createClient({ url: redisUrl });
const redisSub = redisPub.duplicate();
await Promise.all([redisPub.connect(), redisSub.connect()]);
io.adapter(createAdapter(redisPub, redisSub, { key: `${key}#socket.io` }));

server.on('request', (req, res) => {
	if (req.url?.startsWith('/socket.io/')) return;
	const url = new URL(req.url ?? '/', 'http://x');
	if (url.pathname === '/healthz') return void res.writeHead(200).end('ok');
	if (url.pathname === '/stats') {
		const cpu = process.cpuUsage();
		const body = {
			rss: process.memoryUsage.rss(),
			heapUsed: getHeapStatistics().used_heap_size,
			cpuSeconds: (cpu.user + cpu.system) / 1e6,
			clients: io.engine.clientsCount
		};
		return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
	}
	if (url.pathname === '/emit' && req.method === 'POST') {
		const version = url.searchParams.get('version') ?? '0';
		const emittedAt = performance.timeOrigin + performance.now();
		pub.to(ROOM).emit('availability', { ...template, version });
		return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ emittedAt }));
	}
	res.writeHead(404).end();
});

server.listen(port, host);

let stopping = false;
async function shutdown() {
	if (stopping) process.exit(1);
	stopping = true;
	setTimeout(() => process.exit(1), 5_000).unref();
	await new Promise<void>((r) => io.close(() => r()));
	await Promise.allSettled([redisPub.quit(), redisSub.quit()]);
	process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
