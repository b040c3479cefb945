import { z } from 'zod';
import { parseNetworks } from './security/address.ts';

/**
 * Every environment variable the process reads, parsed once at start-up (STYLE habit 8).
 * A bad value stops the process with a message naming the variable.
 */
const bool = z
	.enum(['true', 'false', '1', '0', 'yes', 'no'])
	.transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
	z.coerce
		.number({ error: `must be a whole number from ${min} to ${max}` })
		.int(`must be a whole number from ${min} to ${max}`)
		.min(min, `must be at least ${min}`)
		.max(max, `must be at most ${max}`)
		.default(def);
const url = (protocols: string[]) =>
	z.string().refine((v) => {
		try {
			return protocols.includes(new URL(v).protocol);
		} catch {
			return false;
		}
	}, `must be a URL starting with ${protocols.join(' or ')}`);

const networks = z.string().superRefine((v, c) => {
	try {
		parseNetworks(v);
	} catch (e) {
		c.addIssue({ code: 'custom', message: `comma-separated CIDR networks (e.g. 10.0.0.0/8, 192.168.1.0/24): ${(e as Error).message}` });
	}
});

export const configSchema = z.object({
	NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
	PORT: int(3000, 0, 65535),
	/** Behind a proxy on the same host the node listens on loopback only; HOST=0.0.0.0 for a balancer on another host. */
	HOST: z.string().default('127.0.0.1'),
	/**
	 * R-C14 R-O04: the header the reverse proxy writes the client's address into (x-forwarded-for,
	 * x-real-ip, …). Unset: the socket's peer (no proxy). Set: a request without it gets 400.
	 */
	ADDRESS_HEADER: z
		.string()
		.regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name (letters, digits and -)')
		.transform((v) => v.toLowerCase())
		.optional(),
	/** With ADDRESS_HEADER=x-forwarded-for only: the trusted proxies in front of the node (1 = one nginx). */
	XFF_DEPTH: int(1, 1, 20).optional(),
	/** Staff pages, the staff API and the staff/board sockets only from these networks (CIDRs, comma-separated); unset: any. */
	STAFF_NETWORKS: networks.optional(),
	/** /metrics from these networks (besides loopback and the METRICS_TOKEN bearer). */
	METRICS_NETWORKS: networks.optional(),
	PUBLIC_ORIGIN: url(['http:', 'https:']).optional(),
	DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
	/**
	 * Issue 10 (R-O03): the owner of the tables, for migrations, grants and pg-boss's schema only. Set:
	 * DATABASE_URL is the runtime role (db/roles.sql). Unset: boot makes the runtime role itself when
	 * DATABASE_URL may create roles (db/roles.ts).
	 */
	DATABASE_OWNER_URL: url(['postgres:', 'postgresql:']).optional(),
	/** The runtime role that gets the grants of db/roles.sql (the one DATABASE_URL logs in as when DATABASE_OWNER_URL is set). */
	DATABASE_APP_ROLE: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ only, starting with a letter or _').default('mynumber_app'),
	DB_POOL_MAX: int(10, 1, 200),
	/** A hot standby for read-only lists and searches (db.read); unset: they read the primary (R-O01). */
	DATABASE_REPLICA_URL: url(['postgres:', 'postgresql:']).optional(),
	/** synchronous_commit for booking transactions; unset: remote_apply when a replica is configured (R-O02). */
	BOOKING_SYNCHRONOUS_COMMIT: z.enum(['remote_apply', 'remote_write', 'on', 'local', 'off']).optional(),
	REDIS_URL: url(['redis:', 'rediss:']).optional(),
	/** Prefix of the Socket.IO channels in Redis: environments (or test runs) sharing one Redis stay apart (R-O10). */
	REDIS_KEY: z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits and . : - _ only').default('mynumber'),
	JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
	SESSION_TTL_MINUTES: int(480, 5, 7 * 24 * 60),
	LOGIN_MAX_FAILURES: int(5, 1, 100),
	LOGIN_LOCK_MINUTES: int(15, 1, 24 * 60),
	/** R-O04: wrong staff logins from one client address (any user IDs) before it gets 429 for LOGIN_LOCK_MINUTES */
	LOGIN_MAX_FAILURES_PER_IP: int(30, 1, 10_000),
	/**
	 * R-S01 R-O04: wrong passwords for one user ID from any addresses within LOGIN_ACCOUNT_WINDOW_HOURS
	 * before every further try must wait (LOGIN_ACCOUNT_FIRST_WAIT_SECONDS, doubled with each further
	 * failure, at most LOGIN_ACCOUNT_MAX_WAIT_SECONDS;
	 * 429 with Retry-After) and the admins see an alert. The user's usual addresses (signed in from
	 * there within 30 days) are only slowed a little, never refused: an attacker cannot lock them out.
	 */
	LOGIN_ACCOUNT_SLOW_AFTER: int(10, 1, 10_000),
	LOGIN_ACCOUNT_WINDOW_HOURS: int(24, 1, 24 * 30),
	LOGIN_ACCOUNT_FIRST_WAIT_SECONDS: int(15, 1, 3600),
	LOGIN_ACCOUNT_MAX_WAIT_SECONDS: int(300, 1, 24 * 3600),
	/** R-O04: requests per minute one client address may send to the citizen API (per node while Redis is down) */
	CITIZEN_REQUESTS_PER_MINUTE: int(600, 1, 1_000_000),
	/**
	 * R-O04: the anonymous live calendar (/public sockets). Open connections one client address may
	 * hold (a crowd behind one carrier or kiosk address shares it: keep it generous), and subscribes
	 * per minute per socket and per address; what is over gets a connect_error or an ack {error}.
	 */
	PUBLIC_SOCKET_CONNECTIONS_PER_ADDRESS: int(100, 1, 100_000),
	PUBLIC_SUBSCRIBES_PER_MINUTE: int(60, 1, 100_000),
	PUBLIC_SUBSCRIBES_PER_ADDRESS_PER_MINUTE: int(600, 1, 1_000_000),
	/** R-O04: staff resends of a booking mail per booking and per staff user, per hour (then 429 with Retry-After) */
	RESEND_PER_RESERVATION_PER_HOUR: int(3, 1, 1000),
	RESEND_PER_STAFF_PER_HOUR: int(30, 1, 100_000),
	/** R-O05: a Bearer token that may read /metrics from anywhere; without it only loopback and METRICS_NETWORKS may */
	METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
	/** Where mail goes (smtp://host:port or smtps://user:pass@host:port). Unset: a local SMTP sink starts with the app. */
	SMTP_URL: url(['smtp:', 'smtps:']).optional(),
	MAIL_FROM: z.string().max(200).default('マイナンバーカード予約 <noreply@example.city.lg.jp>'),
	/** Port of the demo mail sink's web view (only when SMTP_URL is unset); 0 picks a free one. */
	MAIL_VIEW_PORT: int(1080, 0, 65535),
	/** R-C14: wrong verifications per session (and per card within a session) before a lockout, and its length */
	CITIZEN_VERIFY_MAX_FAILURES: int(5, 1, 100),
	/** per client address: higher, since a library, a city kiosk or a mobile carrier puts many citizens behind one address */
	CITIZEN_VERIFY_MAX_FAILURES_PER_IP: int(20, 1, 10_000),
	CITIZEN_VERIFY_LOCK_MINUTES: int(30, 1, 24 * 60),
	/**
	 * R-C14 R-O04: a card is locked only for the session that guessed; for everyone else, past
	 * CITIZEN_VERIFY_MAX_FAILURES, each try for it waits 1, 2, 4 … seconds, at most this long.
	 */
	CITIZEN_VERIFY_CARD_MAX_DELAY_SECONDS: int(10, 0, 120),
	/** Citizen sessions opened by an emailed link (R-C02). */
	CITIZEN_SESSION_MINUTES: int(120, 10, 24 * 60),
	SEED_DEMO: bool.optional(),
	DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
	EMBEDDED_PG_DIR: z.string().default('.data/pg'),
	/** Base backups and the WAL archive (R-O02). The embedded database backs up to .data/backups when unset. */
	BACKUP_DIR: z.string().optional(),
	BACKUP_KEEP_DAYS: int(7, 1, 3650),
	/** Archive a WAL segment at least this often when anything was written: the most a lost disk can take. */
	BACKUP_ARCHIVE_TIMEOUT_SECONDS: int(60, 0, 86_400),
	/** When the daily base backup runs (cron, Asia/Tokyo). */
	BACKUP_CRON: z.string().regex(/^[\d*/,-]+( [\d*/,-]+){4}$/, 'must be a 5-field cron expression').default('30 2 * * *'),
	REALTIME_COALESCE_MS: int(100, 0, 10_000),
	/** Issue 17 (R-O03): how often each node's sealer looks for committed 操作ログ rows to chain (one node seals at a time). */
	AUDIT_SEAL_INTERVAL_MS: int(250, 20, 10_000),
	/** Issue 17 (R-O03): an 操作ログ row still unsealed this long after it was written is a fault for the verifier (audit:verify, admin page). */
	AUDIT_UNSEALED_FAULT_SECONDS: int(10, 1, 86_400),
	/** How long a node keeps a resolved session (issue 11); ends and changes reach every node at once through Redis. 0: read every time. */
	SESSION_CACHE_SECONDS: int(30, 0, 3600),
	/**
	 * R-O08: on SIGTERM the node first answers /readyz with 503 "draining" and keeps serving for this
	 * long, so a balancer's health check takes it out of rotation before it stops accepting.
	 */
	SHUTDOWN_DRAIN_MS: int(5_000, 0, 120_000),
	/** After the drain: the most the node waits for in-flight requests and jobs before it exits anyway. */
	SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 120_000),
	/**
	 * The release this node runs, sent to wall boards on every (re)connect so they reload after a
	 * deploy (R-O08). Unset: the build's own version (build/client/_app/version.json).
	 */
	RELEASE: z.string().regex(/^[\w.:+-]{1,100}$/, 'letters, digits and . : + - _ only').optional(),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
	// Empty strings mean "unset": shells and .env files leave them behind.
	const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
	const r = configSchema.safeParse(cleaned);
	if (!r.success) {
		const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Invalid configuration (see .env.example):\n${lines.join('\n')}`);
	}
	// XFF_DEPTH counts proxies in an X-Forwarded-For list; with any other header (or none) it means nothing.
	if (cleaned.XFF_DEPTH !== undefined && r.data.ADDRESS_HEADER !== 'x-forwarded-for') {
		throw new ConfigError('Invalid configuration (see .env.example):\n  XFF_DEPTH: only with ADDRESS_HEADER=x-forwarded-for (set them together)');
	}
	if (r.data.ADDRESS_HEADER === 'x-forwarded-for') r.data.XFF_DEPTH ??= 1;
	return r.data;
}

/** For process entry points: the configuration, or a message naming the bad variable and exit code 1. */
export function configFromEnvOrExit(): Config {
	try {
		return parseConfig(process.env);
	} catch (e) {
		if (e instanceof ConfigError) {
			console.error(e.message);
			process.exit(1);
		}
		throw e;
	}
}
