import type { Db } from '../../../db/index.ts';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { createClient } from 'redis';
import type { SessionCache } from './auth/session-cache.ts';
import type { NoticeBanner } from '../realtime/events.ts';

export type RedisClient = ReturnType<typeof createClient>;

/** What use cases publish after commit; the realtime hub implements it (server/realtime). */
export interface Publisher {
	/** Slots of a location changed on these dates (capacity, booked, held, checked in). */
	slotsChanged(locationId: number, dates: readonly string[]): void;
	/** Card statuses changed (reserved, checked in, issued, …): staff screens and boards follow (R-L03). */
	cardStatusChanged(changes: readonly CardStatusChange[]): void;
	/** R-O07: the emergency banner changed (null: none); every citizen page and board follows */
	noticeChanged?(banner: NoticeBanner | null): void;
	/**
	 * Sessions ended (staff logout, user disabled, a citizen session ended): their open sockets are
	 * cut and every node's session cache forgets them (R-O04). Resolves once every node has
	 * confirmed (or after a short timeout): a logout answers only when no node still honours it.
	 */
	sessionsRevoked?(sessionIds: readonly string[]): void | Promise<void>;
	/** Staff users changed (role, served locations, name): every node reads their sessions again. */
	usersChanged?(userIds: readonly number[]): void;
	/** Wall-board tokens revoked: boards using them are cut on every node (R-O04). */
	boardTokensRevoked?(tokenIds: readonly number[]): void;
	/** R-S18 / R-C13: the city's settings or maintenance changed: every node forgets its copy. */
	citySettingsChanged?(): void;
}

export interface CardStatusChange {
	cardId: string;
	/** The issuing location and day of the visit the change belongs to, when there is one. */
	locationId: number | null;
	date: string | null;
	from: string;
	to: string;
}

export interface AppContext {
	config: Config;
	log: Logger;
	db: Db;
	events: Publisher;
	/** The JWT signing secret actually in use (configured, or generated for a single dev node). */
	jwtSecret: string;
	/** Redis mode, for /readyz. */
	redis: { mode: 'redis' | 'memory'; ping(): Promise<boolean>; /** for rate limits shared by all nodes; absent without REDIS_URL */ client?: RedisClient };
	/** The clock; tests may pass their own. */
	now(): Date;
	/** The release this node runs (R-O08): pages that reload after a deploy compare it with the socket's `hello`. */
	release?: string;
	/** Where links in mails point: PUBLIC_ORIGIN, or this node's own address in development. */
	publicOrigin: string;
	/** Resolved sessions kept by this node (issue 11); absent: every check reads the database. */
	sessions?: SessionCache;
	/** Asks the mail job to deliver outbox rows now (after a commit that wrote some); a no-op without jobs. */
	kickOutbox(): void;
}

/**
 * The SvelteKit bundle and server/index.ts are separate module graphs in production, so the one
 * context is shared through a global symbol rather than a module-level singleton (STYLE habit 5).
 */
const KEY = Symbol.for('mynumber.app-context');
type Holder = { [KEY]?: AppContext };

export function setAppContext(ctx: AppContext | undefined): void {
	(globalThis as Holder)[KEY] = ctx;
}

export function appContext(): AppContext {
	const ctx = (globalThis as Holder)[KEY];
	if (!ctx) throw new Error('App context not initialised: start through server/index.ts or the Vite plugin');
	return ctx;
}
