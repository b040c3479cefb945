import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../db/index.ts';
import { runMigrations } from '../db/migrate.ts';
import { seedDemo } from '../db/seeds/demo.ts';
import type { Config } from '../src/lib/server/config.ts';
import { createLogger, type Logger } from '../src/lib/server/log.ts';
import { setAppContext, type AppContext, type Publisher } from '../src/lib/server/context.ts';
import { startEmbeddedPostgres } from './dev/embedded-postgres.ts';
import { createRealtime, type Realtime } from './realtime/hub.ts';
import { attachRedisAdapter } from './realtime/redis.ts';
import { createMetrics, metricsAllowed } from './metrics.ts';
import { hostname } from 'node:os';
import { beat, collectStatus, leave } from '../src/lib/server/ops/status.ts';
import { installJobSchema, startJobs } from './jobs.ts';
import { startSealer } from './sealer.ts';
import { prepareRuntimeAccess, privilegeReport, type RuntimeAccess } from '../db/roles.ts';
import { startMailSink } from './dev/mail-sink.ts';
import { createMailTransport } from '../src/lib/server/mail/transport.ts';
import { backupsEnabled, embeddedArchiveFlags } from '../db/backup/index.ts';
import { createSessionCache } from '../src/lib/server/auth/session-cache.ts';

export interface Booted {
	ctx: AppContext;
	realtime: Realtime;
	log: Logger;
	demo: { password: string; generated: boolean } | null;
	databaseMode: 'embedded' | 'external';
	/** Where a person reads the demo's mails (the local sink's web view); null when SMTP_URL is set. */
	mailViewUrl: string | null;
	/** Answers /healthz, /readyz and /metrics; returns false for every other path. */
	ops(req: IncomingMessage, res: ServerResponse): boolean;
	observe(req: IncomingMessage, res: ServerResponse): void;
	/**
	 * R-O08: from now on /readyz answers 503 {status: "draining"}, so balancers take this node out of
	 * rotation; everything else keeps working until close().
	 */
	drain(): void;
	readonly draining: boolean;
	close(): Promise<void>;
}

type Closers = (() => Promise<unknown>)[];

/**
 * Everything a node needs besides listening: database (embedded when DATABASE_URL is unset),
 * migrations, demo seed, the app context, Socket.IO with the Redis adapter when REDIS_URL is set.
 * Shared by the production entry (server/index.ts) and the Vite dev plugin so both behave the same.
 * Each step below is one function; `closers` collects how to undo them, last started first closed.
 */
export async function boot(
	config: Config,
	httpServer: HttpServer,
	log: Logger = createLogger(config.LOG_LEVEL),
	opts: { release?: string } = {}
): Promise<Booted> {
	const closers: Closers = [];
	const { databaseUrl, databaseMode } = await startDatabase(config, log, closers);
	const { runtime, demo } = await prepareDatabase(config, databaseUrl, databaseMode, log);
	const db: Db = createDb(runtime.url, { poolMax: config.DB_POOL_MAX, replicaUrl: config.DATABASE_REPLICA_URL });
	closers.unshift(() => db.close());
	await reportPrivileges(db, runtime, log);
	const jwtSecret = await signingSecret(config, db, log);

	const { ctx, late } = createContext(config, log, db, jwtSecret, opts.release);
	setAppContext(ctx);
	const realtime = await startRealtime(httpServer, ctx, late, opts.release, closers);
	const mail = await startMail(config, log, closers);

	// Scheduled jobs (pg-boss, once across nodes): hold expiry (R-C15), daily slot regeneration
	// (R-S06), mail delivery and reminders (R-C09–R-C11). Put first among the closers so it stops
	// before the transport, the sink and the database pool close.
	const jobs = await startJobs(ctx, runtime.url, { mail: mail.transport, backups: backupsEnabled(config), ownerUrl: config.DATABASE_OWNER_URL ?? databaseUrl });
	late.outboxKick = jobs.kickOutbox;
	closers.unshift(() => jobs.stop());

	// R-O03 (issue 17): 操作ログ rows are written unsealed; one node at a time chains them shortly after commit
	const sealer = startSealer(db, log, { intervalMs: config.AUDIT_SEAL_INTERVAL_MS });
	closers.unshift(() => sealer.stop());

	const metrics = createMetrics();
	metrics.watch(realtime.io, db.sequelize, () => collectStatus(ctx));
	await startHeartbeat(ctx, realtime, log, opts.release, closers);

	let draining = false;
	return {
		ctx,
		realtime,
		log,
		demo,
		databaseMode,
		mailViewUrl: mail.viewUrl,
		observe: metrics.observe,
		drain() {
			draining = true;
		},
		get draining() {
			return draining;
		},
		ops: opsEndpoints(ctx, metrics, () => draining),
		async close() {
			await realtime.close();
			for (const c of closers) await c().catch((e) => log.error({ err: e }, 'shutdown step failed'));
			setAppContext(undefined);
		}
	};
}

/** DATABASE_URL, or an embedded PostgreSQL when it is unset. */
async function startDatabase(config: Config, log: Logger, closers: Closers): Promise<{ databaseUrl: string; databaseMode: Booted['databaseMode'] }> {
	if (config.DATABASE_OWNER_URL && !config.DATABASE_URL) throw new Error('DATABASE_OWNER_URL is set but DATABASE_URL is not: DATABASE_URL is the runtime role the app connects as');
	if (config.DATABASE_URL) return { databaseUrl: config.DATABASE_URL, databaseMode: 'external' };
	// R-O02: the embedded database archives its WAL into BACKUP_DIR (default .data/backups/wal).
	const pg = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, undefined, { postgresFlags: embeddedArchiveFlags(config) });
	closers.unshift(() => pg.stop());
	log.info({ port: pg.port, dir: config.EMBEDDED_PG_DIR }, 'embedded PostgreSQL started (DATABASE_URL unset)');
	return { databaseUrl: pg.url, databaseMode: 'embedded' };
}

/**
 * Issue 10 (R-O03, R-O04): the owner migrates, installs pg-boss's schema, grants the runtime role
 * (db/roles.sql) and seeds; then its pool closes and everything else runs as the runtime role.
 */
async function prepareDatabase(config: Config, databaseUrl: string, databaseMode: Booted['databaseMode'], log: Logger): Promise<{ runtime: RuntimeAccess; demo: Booted['demo'] }> {
	const ownerUrl = config.DATABASE_OWNER_URL ?? databaseUrl;
	const owner: Db = createDb(ownerUrl, { poolMax: 3 });
	let access: RuntimeAccess | undefined;
	let demo: Booted['demo'] = null;
	try {
		const applied = await runMigrations(owner.sequelize, {
			then: async () => {
				await installJobSchema(ownerUrl);
				access = await prepareRuntimeAccess(owner.sequelize, {
					ownerUrl,
					runtimeUrl: config.DATABASE_OWNER_URL ? config.DATABASE_URL : undefined,
					role: config.DATABASE_APP_ROLE
				});
			}
		});
		if (applied.length) log.info({ applied }, 'migrations applied');
		if (config.SEED_DEMO ?? databaseMode === 'embedded') {
			const generated = !config.DEMO_PASSWORD;
			const password = config.DEMO_PASSWORD ?? randomBytes(9).toString('base64url');
			const counts = await seedDemo(owner, { password });
			demo = { password, generated };
			log.info(counts, 'demo city seeded');
		}
	} finally {
		await owner.close();
	}
	return { runtime: access!, demo };
}

/** JWT_SECRET, required in production; elsewhere one generated once and kept in the database. */
async function signingSecret(config: Config, db: Db, log: Logger): Promise<string> {
	if (config.JWT_SECRET) return config.JWT_SECRET;
	if (config.NODE_ENV === 'production') throw new Error('JWT_SECRET is required when NODE_ENV=production');
	const secret = await sharedSecret(db);
	log.warn('JWT_SECRET unset: using a secret generated once and kept in the database (set JWT_SECRET in production)');
	return secret;
}

/** What the context reaches through once the parts built after it exist (the hub, Redis, the jobs). */
interface LateBound {
	publisher?: Publisher;
	outboxKick?: () => void;
	redisPing: () => Promise<boolean>;
}

/** The app context use cases receive. Use cases publish through ctx.events; the hub is built after the context, so bind late. */
function createContext(config: Config, log: Logger, db: Db, jwtSecret: string, release: string | undefined): { ctx: AppContext; late: LateBound } {
	const late: LateBound = { redisPing: async () => true };
	const ctx: AppContext = {
		config,
		log,
		db,
		jwtSecret,
		events: {
			slotsChanged: (l, d) => late.publisher?.slotsChanged(l, d),
			cardStatusChanged: (c) => late.publisher?.cardStatusChanged(c),
			noticeChanged: (n) => late.publisher?.noticeChanged?.(n),
			sessionsRevoked: async (ids) => late.publisher?.sessionsRevoked?.(ids),
			usersChanged: (ids) => late.publisher?.usersChanged?.(ids),
			boardTokensRevoked: (ids) => late.publisher?.boardTokensRevoked?.(ids),
			citySettingsChanged: () => late.publisher?.citySettingsChanged?.()
		},
		redis: { mode: config.REDIS_URL ? 'redis' : 'memory', ping: () => late.redisPing() },
		now: () => new Date(),
		release,
		publicOrigin: config.PUBLIC_ORIGIN ?? `http://localhost:${config.PORT}`,
		kickOutbox: () => late.outboxKick?.(),
		sessions: config.SESSION_CACHE_SECONDS > 0 ? createSessionCache({ ttlMs: config.SESSION_CACHE_SECONDS * 1000 }) : undefined
	};
	return { ctx, late };
}

/** The Socket.IO hub, with the Redis adapter when REDIS_URL is set (several nodes). */
async function startRealtime(httpServer: HttpServer, ctx: AppContext, late: LateBound, release: string | undefined, closers: Closers): Promise<Realtime> {
	const { config, log } = ctx;
	const realtime = createRealtime(httpServer, ctx, { release });
	late.publisher = realtime.publisher;
	if (!config.REDIS_URL) {
		log.info('realtime: in-memory adapter (single node; set REDIS_URL for several nodes)');
		return realtime;
	}
	// The session cache is used only while this node hears the other nodes (issue 11): it is
	// emptied and switched off when Redis goes away, and starts empty when Redis is back.
	const redis = await attachRedisAdapter(
		realtime.io,
		config.REDIS_URL,
		log,
		config.REDIS_KEY,
		() => {
			ctx.sessions?.setLive(true);
			return realtime.resync();
		},
		() => ctx.sessions?.setLive(false)
	);
	late.redisPing = redis.ping;
	ctx.redis.client = redis.client;
	closers.unshift(() => redis.close());
	log.info('realtime: Socket.IO Redis adapter (multi-node)');
	return realtime;
}

/**
 * Mail: SMTP_URL, or a local sink so the demo's journey works from `npm start` alone. Its web
 * view takes MAIL_VIEW_PORT, or a free port when that is taken (a second node on this machine).
 */
async function startMail(config: Config, log: Logger, closers: Closers) {
	let smtpUrl = config.SMTP_URL;
	let viewUrl: string | null = null;
	if (!smtpUrl) {
		const sink = await startMailSink({ httpPort: config.MAIL_VIEW_PORT }).catch((e: NodeJS.ErrnoException) => {
			if (e.code !== 'EADDRINUSE') throw e;
			return startMailSink({ httpPort: 0 });
		});
		smtpUrl = sink.smtpUrl;
		viewUrl = sink.viewUrl;
		closers.unshift(() => sink.close());
		log.info({ smtp: sink.smtpUrl, view: sink.viewUrl }, 'mail: local sink (SMTP_URL unset)');
	}
	const transport = createMailTransport(smtpUrl);
	closers.unshift(async () => transport.close());
	return { transport, viewUrl };
}

/** R-O06: this node says it is alive every 10 s (the city's status page lists every node). */
async function startHeartbeat(ctx: AppContext, realtime: Realtime, log: Logger, release: string | undefined, closers: Closers) {
	const nodeId = `${hostname().slice(0, 40)}-${randomBytes(4).toString('hex')}`;
	const startedAt = new Date();
	const heartbeat = () =>
		beat(ctx, { nodeId, release: release ?? 'dev', startedAt, sockets: realtime.io.engine.clientsCount }).catch((err) => log.warn({ err: err.message }, 'heartbeat failed'));
	await heartbeat();
	const beatTimer = setInterval(heartbeat, 10_000);
	beatTimer.unref();
	closers.unshift(async () => {
		clearInterval(beatTimer);
		await leave(ctx, nodeId).catch(() => undefined);
	});
}

/** /healthz, /readyz and /metrics, answered before SvelteKit; false for every other path. */
function opsEndpoints(ctx: AppContext, metrics: ReturnType<typeof createMetrics>, draining: () => boolean): Booted['ops'] {
	return (req, res) => {
		const path = (req.url ?? '/').split('?')[0];
		if (path === '/healthz') {
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
			return true;
		}
		if (path === '/readyz') {
			// Draining is answered at once, without asking the database: the node is on its way out.
			if (draining()) {
				res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end(JSON.stringify({ status: 'draining' }));
				return true;
			}
			void readiness(ctx).then((r) => {
				res.writeHead(r.status === 'down' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(r));
			});
			return true;
		}
		if (path === '/metrics') {
			if (!metricsAllowed(req, ctx.config)) {
				res.writeHead(403, { 'content-type': 'application/problem+json; charset=utf-8' }).end(JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'メトリクスは運用トークン、このサーバー自身、または METRICS_NETWORKS からのみ参照できます。' }));
				return true;
			}
			void metrics.registry.metrics().then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
			return true;
		}
		return false;
	};
}

/**
 * The demo's signing secret: generated by the first node and kept in app_secrets, so signed links
 * in mails and sessions survive restarts and work on every node. ON CONFLICT makes two nodes
 * starting together agree on one value.
 */
async function sharedSecret(db: Db): Promise<string> {
	const [rows] = (await db.sequelize.query(
		`INSERT INTO app_secrets (name, value) VALUES ('jwt', :v) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value`,
		{ replacements: { v: randomBytes(32).toString('hex') } }
	)) as [{ value: string }[], unknown];
	return rows[0].value;
}

/**
 * Says at start how the app is connected; a warning when the runtime connection could tamper with
 * the operation log (it owns it, is a superuser, or holds more than SELECT and INSERT on it).
 */
async function reportPrivileges(db: Db, access: RuntimeAccess, log: Logger) {
	const r = await privilegeReport(db.sequelize);
	if (access.mode === 'single' || r.superuser || r.ownsAuditLog || r.auditExtra.length) {
		log.warn(
			{ role: r.user, mode: access.mode, superuser: r.superuser, ownsAuditLog: r.ownsAuditLog, auditExtra: r.auditExtra, reason: access.reason },
			'database: the app runs as a role that could alter the operation log (see README "Database roles")'
		);
	} else {
		log.info({ role: r.user, mode: access.mode }, 'database: the app runs as a role that owns nothing and may only append to the operation log');
	}
}

/** Postgres is the truth: without it the node is down. Without Redis it still books, degraded (no cross-node push). */
async function readiness(ctx: AppContext) {
	const database = await ctx.db.sequelize
		.query('SELECT 1')
		.then(() => 'ok' as const)
		.catch(() => 'down' as const);
	const redis = ctx.redis.mode === 'memory' ? ('not_configured' as const) : (await ctx.redis.ping()) ? ('ok' as const) : ('down' as const);
	const status = database === 'down' ? 'down' : redis === 'down' ? 'degraded' : 'ok';
	return { status, database, redis };
}
