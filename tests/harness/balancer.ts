import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP load balancer for failover tests, standing in for the one in front of production nodes:
 * each new connection goes to the first backend that accepts it, so when a node dies its clients'
 * reconnects land on the next one (R-O01). TCP level, so websocket upgrades pass through untouched.
 */
export async function startBalancer(backends: { port: number }[]) {
	const open = new Set<Socket>();
	const server = createServer((client) => {
		open.add(client);
		client.on('close', () => open.delete(client));
		client.pause();
		const tryBackend = (i: number) => {
			if (i >= backends.length) return client.destroy();
			const upstream = connect({ host: '127.0.0.1', port: backends[i].port });
			upstream.once('error', () => tryBackend(i + 1));
			upstream.once('connect', () => {
				upstream.removeAllListeners('error');
				open.add(upstream);
				upstream.on('close', () => {
					open.delete(upstream);
					client.destroy();
				});
				upstream.on('error', () => client.destroy());
				client.on('error', () => upstream.destroy());
				client.on('close', () => upstream.destroy());
				client.pipe(upstream);
				upstream.pipe(client);
				client.resume();
			});
		};
		tryBackend(0);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((r) => {
				for (const s of open) s.destroy();
				server.close(() => r());
			})
	};
}
