import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import type { Server } from 'socket.io';
import type { Sequelize } from 'sequelize';
import type { CityStatus } from '../src/lib/server/ops/status.ts';
import type { Config } from '../src/lib/server/config.ts';
import { inNetworks, isLoopback, normaliseAddress, resolveClientAddress } from '../src/lib/server/security/address.ts';

/** Prometheus metrics (R-O06): process defaults, HTTP, sockets, database pool. One registry per process. */
export function createMetrics() {
	const registry = new client.Registry();
	client.collectDefaultMetrics({ register: registry });
	const httpDuration = new client.Histogram({
		name: 'http_request_duration_seconds',
		help: 'HTTP request duration by method, route group and status',
		labelNames: ['method', 'group', 'status'] as const,
		buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
		registers: [registry]
	});
	const sources: { io?: Server; sequelize?: Sequelize; status?: () => Promise<CityStatus> } = {};
	// R-O06: the city's status figures, read once per scrape (a scrape waits for one status read)
	let scrape: Promise<CityStatus | null> | null = null;
	const status = () => {
		scrape ??= (sources.status?.() ?? Promise.resolve(null)).catch(() => null).finally(() => setTimeout(() => (scrape = null), 1000));
		return scrape;
	};
	const opsGauge = (name: string, help: string, pick: (s: CityStatus) => number | null) =>
		new client.Gauge({
			name,
			help,
			registers: [registry],
			async collect() {
				const s = await status();
				const v = s ? pick(s) : null;
				if (v !== null && Number.isFinite(v)) this.set(v);
			}
		});
	opsGauge('mynumber_nodes_alive', 'App nodes that sent a heartbeat in the last 30 s', (s) => s.nodes.filter((n) => n.alive).length);
	opsGauge('mynumber_outbox_queued', 'Mails waiting in the outbox', (s) => s.outbox.queued);
	opsGauge('mynumber_outbox_failed', 'Mails that failed after every retry', (s) => s.outbox.failed);
	opsGauge('mynumber_outbox_oldest_queued_seconds', 'Age of the oldest waiting mail', (s) => s.outbox.oldestQueuedSeconds ?? 0);
	opsGauge('mynumber_jobs_waiting', 'Jobs waiting in pg-boss', (s) => s.jobs?.waiting ?? null);
	opsGauge('mynumber_jobs_failed_today', 'Jobs failed in the last 24 h', (s) => s.jobs?.failedToday ?? null);
	opsGauge('mynumber_bookings_today', 'Visits booked for today (Asia/Tokyo), not cancelled', (s) => s.bookings.today);
	opsGauge('mynumber_replicas', 'Streaming replicas attached to the primary', (s) => s.replicas.length);
	opsGauge('mynumber_replica_lag_seconds', 'Largest replay lag of the replicas', (s) => (s.replicas.length ? Math.max(...s.replicas.map((r) => r.replayLagSeconds ?? 0)) : null));
	opsGauge('mynumber_backup_last_age_seconds', 'Seconds since the last base backup finished', (s) => (s.backup?.lastFinishedAt ? (Date.now() - Date.parse(s.backup.lastFinishedAt)) / 1000 : null));
	new client.Gauge({
		name: 'socketio_connected_clients',
		help: 'Socket.IO clients connected to this node',
		registers: [registry],
		collect() {
			this.set(sources.io?.engine.clientsCount ?? 0);
		}
	});
	const poolGauge = (name: string, help: string, pick: (p: { size: number; available: number; using: number; waiting: number }) => number) =>
		new client.Gauge({
			name,
			help,
			registers: [registry],
			collect() {
				const pool = (sources.sequelize?.connectionManager as unknown as { pool?: { size: number; available: number; using: number; waiting: number } })?.pool;
				this.set(pool ? pick(pool) : 0);
			}
		});
	poolGauge('db_pool_size', 'Database connections open', (p) => p.size);
	poolGauge('db_pool_in_use', 'Database connections in use', (p) => p.using);
	poolGauge('db_pool_waiting', 'Requests waiting for a database connection', (p) => p.waiting);

	// Route groups, not paths: a path can hold ids and must not explode the label set.
	const group = (url: string) => {
		const p = url.split('?')[0];
		if (p.startsWith('/api/v1/staff')) return 'api_staff';
		if (p.startsWith('/api/')) return 'api_public';
		if (p.startsWith('/_app/')) return 'assets';
		if (p.startsWith('/staff')) return 'staff_pages';
		if (p.startsWith('/board')) return 'board_pages';
		if (p.startsWith('/socket.io')) return 'socket';
		return 'pages';
	};

	return {
		registry,
		watch(io: Server, sequelize: Sequelize, status?: () => Promise<CityStatus>) {
			sources.io = io;
			sources.sequelize = sequelize;
			sources.status = status;
		},
		observe(req: IncomingMessage, res: ServerResponse) {
			const end = httpDuration.startTimer({ method: req.method ?? 'GET', group: group(req.url ?? '/') });
			res.once('finish', () => end({ status: String(res.statusCode) }));
		}
	};
}


/** Loopback, RFC 1918 and unique-local IPv6 addresses (IPv4-mapped forms included). */
export function isPrivateAddress(address: string | undefined): boolean {
	if (!address) return false;
	const a = address.toLowerCase().replace(/^::ffff:/, '');
	if (a === '::1') return true;
	if (/^f[cd][0-9a-f]{2}:/.test(a)) return true;
	const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
	if (!m) return false;
	const [x, y] = [Number(m[1]), Number(m[2])];
	return x === 127 || x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168);
}

/**
 * R-O05: /metrics tells an attacker how busy and how big the service is. It answers an operations
 * token (`Authorization: Bearer METRICS_TOKEN`) from anywhere, otherwise only a client on loopback
 * (Prometheus on the node's host) or in METRICS_NETWORKS. Behind a proxy (ADDRESS_HEADER) a request
 * that came through it is judged by the client address the proxy wrote, never by the proxy's own
 * loopback address; without ADDRESS_HEADER a request carrying a forwarding header came through a
 * proxy the node was not told about and is refused.
 */
export function metricsAllowed(req: IncomingMessage, config: Pick<Config, 'METRICS_TOKEN' | 'METRICS_NETWORKS' | 'ADDRESS_HEADER' | 'XFF_DEPTH'>): boolean {
	const token = config.METRICS_TOKEN;
	const auth = req.headers.authorization;
	if (token && typeof auth === 'string') {
		const given = Buffer.from(auth.replace(/^Bearer\s+/i, ''));
		const want = Buffer.from(token);
		if (given.length === want.length && timingSafeEqual(given, want)) return true;
	}
	let address: string;
	if (config.ADDRESS_HEADER && req.headers[config.ADDRESS_HEADER] !== undefined) {
		const r = resolveClientAddress(req.headers, req.socket.remoteAddress, config);
		if (!r.ok) return false;
		address = r.address;
	} else {
		if (!config.ADDRESS_HEADER && (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined)) return false;
		address = normaliseAddress(req.socket.remoteAddress);
	}
	return isLoopback(address) || (!!config.METRICS_NETWORKS && inNetworks(config.METRICS_NETWORKS, address));
}
