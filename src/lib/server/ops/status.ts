/**
 * R-O06: the operation status a city watches — every app node (release, uptime, sockets), the
 * database and its replica, Redis, the job queue, the mail outbox, bookings today and per hour,
 * and the last backup. The same figures feed /metrics (server/metrics.ts).
 */
import { hostname } from 'node:os';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { backupStatus } from '../../../../db/backup/index.ts';
import { tokyoDateOf } from '../../domain/dates.ts';

export const NODE_ALIVE_SECONDS = 30;

export interface CityStatus {
	at: string;
	nodes: { nodeId: string; host: string; release: string; startedAt: string; uptimeSeconds: number; sockets: number; alive: boolean; lastSeen: string }[];
	database: 'ok' | 'down';
	replicas: { name: string; state: string; syncState: string; replayLagSeconds: number | null; replayLagBytes: number | null }[];
	redis: 'ok' | 'down' | 'not_configured';
	jobs: { waiting: number; active: number; failedToday: number } | null;
	outbox: { queued: number; failed: number; oldestQueuedSeconds: number | null };
	bookings: { today: number; cancelledToday: number; perHour: { hour: number; count: number }[] };
	backup: { lastFinishedAt: string | null; lastSizeBytes: number | null; count: number } | null;
}

/** Written by each node every few seconds (server/boot.ts). */
export async function beat(ctx: AppContext, node: { nodeId: string; release: string; startedAt: Date; sockets: number }): Promise<void> {
	await ctx.db.sequelize.query(
		`INSERT INTO node_heartbeats (node_id, host, pid, release, started_at, last_seen, sockets) VALUES (:id, :host, :pid, :release, :started, now(), :sockets)
		 ON CONFLICT (node_id) DO UPDATE SET last_seen = now(), sockets = EXCLUDED.sockets, release = EXCLUDED.release`,
		{ replacements: { id: node.nodeId, host: hostname().slice(0, 128), pid: process.pid, release: node.release.slice(0, 64), started: node.startedAt.toISOString(), sockets: node.sockets } }
	);
}

export async function leave(ctx: AppContext, nodeId: string): Promise<void> {
	await ctx.db.sequelize.query(`DELETE FROM node_heartbeats WHERE node_id = :id`, { replacements: { id: nodeId } });
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The figures without a role check: for /metrics (a trusted caller) and for the page below. */
export async function collectStatus(ctx: AppContext): Promise<CityStatus> {
	const q = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) => ctx.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
	const now = ctx.now();
	const database = await q(`SELECT 1 AS ok`).then(() => 'ok' as const, () => 'down' as const);
	if (database === 'down') {
		return { at: now.toISOString(), nodes: [], database, replicas: [], redis: ctx.redis.mode === 'memory' ? 'not_configured' : (await ctx.redis.ping()) ? 'ok' : 'down', jobs: null, outbox: { queued: 0, failed: 0, oldestQueuedSeconds: null }, bookings: { today: 0, cancelledToday: 0, perHour: [] }, backup: null };
	}
	const today = tokyoDateOf(now);
	const [nodes, replicas, jobs, outbox, bookings, perHour] = await Promise.all([
		q<{ node_id: string; host: string; release: string; started_at: Date; last_seen: Date; sockets: number }>(`SELECT * FROM node_heartbeats ORDER BY node_id`),
		q<{ name: string; state: string; sync_state: string; lag_s: number | null; lag_b: number | null }>(
			`SELECT application_name AS name, state, sync_state, EXTRACT(EPOCH FROM replay_lag)::float8 AS lag_s, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_b FROM pg_stat_replication ORDER BY 1`
		).catch(() => []),
		q<{ waiting: number; active: number; failed: number }>(
			`SELECT count(*) FILTER (WHERE state IN ('created','retry'))::int AS waiting, count(*) FILTER (WHERE state = 'active')::int AS active,
			        count(*) FILTER (WHERE state = 'failed' AND completed_on > now() - interval '1 day')::int AS failed FROM pgboss.job`
		).catch(() => null),
		q<{ queued: number; failed: number; oldest: number | null }>(
			`SELECT count(*) FILTER (WHERE published_at IS NULL AND failed_at IS NULL)::int AS queued, count(*) FILTER (WHERE failed_at IS NOT NULL AND published_at IS NULL)::int AS failed,
			        EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE published_at IS NULL AND failed_at IS NULL))::float8 AS oldest FROM outbox`
		),
		q<{ today: number; cancelled: number }>(
			// today's visits (the day's workload), not the bookings made today
			`SELECT count(*) FILTER (WHERE status <> 'cancelled')::int AS today, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled FROM reservations WHERE date = :today`,
			{ today }
		),
		q<{ hour: number; count: number }>(
			`SELECT EXTRACT(HOUR FROM starts_at AT TIME ZONE 'Asia/Tokyo')::int AS hour, count(*)::int AS count FROM reservations
			  WHERE date = :today AND status <> 'cancelled' GROUP BY 1 ORDER BY 1`,
			{ today }
		)
	]);
	let backup: CityStatus['backup'] = null;
	try {
		const b = backupStatus(ctx.config);
		backup = { lastFinishedAt: b.lastBackup?.finishedAt ?? null, lastSizeBytes: num(b.lastBackup?.sizeBytes), count: b.backups };
	} catch {
		backup = null;
	}
	return {
		at: now.toISOString(),
		nodes: nodes.map((n) => {
			const lastSeen = new Date(n.last_seen);
			return {
				nodeId: n.node_id,
				host: n.host,
				release: n.release,
				startedAt: new Date(n.started_at).toISOString(),
				uptimeSeconds: Math.max(0, Math.round((now.getTime() - new Date(n.started_at).getTime()) / 1000)),
				sockets: n.sockets,
				alive: now.getTime() - lastSeen.getTime() < NODE_ALIVE_SECONDS * 1000,
				lastSeen: lastSeen.toISOString()
			};
		}),
		database,
		replicas: replicas.map((r) => ({ name: r.name, state: r.state, syncState: r.sync_state, replayLagSeconds: num(r.lag_s), replayLagBytes: num(r.lag_b) })),
		redis: ctx.redis.mode === 'memory' ? 'not_configured' : (await ctx.redis.ping()) ? 'ok' : 'down',
		jobs: jobs && jobs[0] ? { waiting: jobs[0].waiting, active: jobs[0].active, failedToday: jobs[0].failed } : null,
		outbox: { queued: outbox[0].queued, failed: outbox[0].failed, oldestQueuedSeconds: num(outbox[0].oldest) },
		bookings: { today: bookings[0].today, cancelledToday: bookings[0].cancelled, perHour },
		backup
	};
}

export async function cityStatus(ctx: AppContext, principal: Principal | null): Promise<CityStatus> {
	requireRole(principal, 'admin');
	return collectStatus(ctx);
}
