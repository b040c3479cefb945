/**
 * Memory per socket of the realtime hub alone (`node --expose-gc tests/bench/socket-memory.ts [N]`,
 * default 2000; issue 11; not part of `npm test`): the hub (server/realtime/hub.ts) on a real
 * database and the Redis adapter, in this process, against a bare Socket.IO server with the same
 * options in this process too, each measured with N `/public` sockets subscribed to one month
 * (websocket transport, from a forked client process). Heap is read after full GCs, so the figure
 * is what each socket keeps, without the noise of a whole app node's RSS. SNAPSHOT=1 also writes a
 * heap snapshot of each side with the sockets connected (/tmp/socket-memory-{hub,bare}.heapsnapshot).
 */
import { fork } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeSlot } from '../harness/factories.ts';
import { createRealtime } from '../../server/realtime/hub.ts';
import { attachRedisAdapter } from '../../server/realtime/redis.ts';
import { connectPool } from './lib/clients.ts';

const MONTH = '2026-12';

if (process.argv[2] === 'clients') {
	// The client side: connect, report, stay until told to close.
	const pool = await connectPool([process.argv[3]], Number(process.argv[4]), { locationId: Number(process.argv[5]), month: MONTH });
	process.send!('connected');
	process.once('message', () => {
		pool.close();
		setTimeout(() => process.exit(0), 200);
	});
} else {
	const N = Number(process.argv[2] ?? 2000);
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('run with node --expose-gc');
	const heap = async () => {
		for (let i = 0; i < 3; i++) {
			gc();
			await new Promise((r) => setTimeout(r, 50));
		}
		return process.memoryUsage().heapUsed;
	};
	const services = await ensureServices();
	const t = await createTestDatabase(services.databaseUrl, 'bench_socket_memory');
	const loc = await makeLocation(t.db);
	for (let d = 1; d <= 28; d++) await makeSlot(t.db, loc.id, `${MONTH}-${String(d).padStart(2, '0')}`, '10:00', 5);

	const measure = async (label: string, http: HttpServer) => {
		await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
		const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
		const h0 = await heap();
		const child = fork(new URL(import.meta.url).pathname, ['clients', url, String(N), String(loc.id)], { stdio: 'inherit' });
		await new Promise((r) => child.once('message', r));
		await new Promise((r) => setTimeout(r, 500));
		const h1 = await heap();
		if (process.env.SNAPSHOT) console.log('snapshot', (await import('node:v8')).writeHeapSnapshot(`/tmp/socket-memory-${label}.heapsnapshot`));
		console.log(`${label}: ${((h1 - h0) / 1024 / N).toFixed(2)} KiB heap per socket (${N} sockets)`);
		child.send('close');
		await new Promise((r) => child.once('exit', r));
		return (h1 - h0) / 1024 / N;
	};

	const { ctx } = testContext(t.db, { config: { REDIS_URL: services.redisUrl, PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS: '100000' } });
	const http = createServer();
	const rt = createRealtime(http, ctx);
	const redis = await attachRedisAdapter(rt.io, services.redisUrl, ctx.log, `bench-mem-${process.pid}`);
	const hub = await measure('hub', http);
	await rt.close();
	await redis.close();
	http.close();

	const bareHttp = createServer();
	const io = new Server(bareHttp, { serveClient: false, cors: { origin: false }, pingInterval: 10_000, pingTimeout: 8_000, maxHttpBufferSize: 16 * 1024 });
	const bareRedis = await attachRedisAdapter(io, services.redisUrl, ctx.log, `bench-mem-bare-${process.pid}`);
	io.of('/public').on('connection', (socket) => {
		socket.on('subscribe', (_req: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			socket.join('pub:bench');
			ack({ data: { locationId: loc.id, month: MONTH, days: [], version: '0' } });
		});
	});
	const bare = await measure('bare', bareHttp);
	io.close();
	await bareRedis.close();
	console.log(`hub / bare: ${(hub / bare).toFixed(2)}`);
	await t.drop();
	await services.stop();
	process.exit(0);
}
