/**
 * Realtime hubs as separate "nodes" on one database and one Redis, as in production (R-L04): each
 * node its own HTTP server, app context (so its own session cache and publisher) and Socket.IO server
 * with the Redis adapter. The integration tests of the live path, the session cache and socket
 * security start theirs here.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { testContext } from './context.ts';
import type { Db } from '../../db/index.ts';
import { createRealtime, type Realtime } from '../../server/realtime/hub.ts';
import { attachRedisAdapter } from '../../server/realtime/redis.ts';
import type { RoomStates } from '../../server/realtime/resync.ts';
import { createSessionCache } from '../../src/lib/server/auth/session-cache.ts';
import type { AppContext } from '../../src/lib/server/context.ts';

export interface HubNode {
	http: HttpServer;
	rt: Realtime;
	ctx: AppContext;
	url: string;
	closeRedis(): Promise<void>;
}

export interface HubNodeOptions {
	now?: Date;
	config?: Record<string, string>;
	/** the Redis channel prefix (REDIS_KEY) */
	key?: string;
	/** a session cache (issue 11), live while Redis is up, off while it is away */
	sessionCacheMs?: number;
	/** the room reads, wrapped by a test (createRealtime's `states`) */
	states?: (ctx: AppContext, io: () => Realtime['io']) => RoomStates;
	/** rate limits counted in this Redis, shared by the nodes, as boot.ts does (ctx.redis.client) */
	sharedLimits?: boolean;
}

export async function startHubNode(db: Db, redisUrl: string, o: HubNodeOptions = {}): Promise<HubNode> {
	const http = createServer();
	const { ctx } = testContext(db, { ...(o.now ? { now: o.now } : {}), ...(o.config ? { config: o.config } : {}) });
	if (o.sessionCacheMs) ctx.sessions = createSessionCache({ ttlMs: o.sessionCacheMs });
	const rt: Realtime = createRealtime(http, ctx, o.states ? { states: o.states(ctx, () => rt.io) } : {});
	ctx.events = rt.publisher;
	const r = await attachRedisAdapter(
		rt.io,
		redisUrl,
		ctx.log,
		o.key,
		() => {
			ctx.sessions?.setLive(true);
			return rt.resync();
		},
		() => ctx.sessions?.setLive(false)
	);
	if (o.sharedLimits) ctx.redis = { mode: 'redis', ping: r.ping, client: r.client };
	await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
	return { http, rt, ctx, url: `http://127.0.0.1:${(http.address() as { port: number }).port}`, closeRedis: r.close };
}

/** Closes the nodes' sockets, Redis clients and HTTP servers. */
export async function stopHubNodes(nodes: readonly HubNode[]): Promise<void> {
	for (const n of nodes) {
		await n.rt.close();
		await n.closeRedis();
		await new Promise((r) => n.http.close(r));
	}
}
