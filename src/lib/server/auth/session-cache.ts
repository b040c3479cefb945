/**
 * Issue 11: a session check without a database read on every request, that still honours a
 * logout at once on every node.
 *
 * Each node keeps the sessions it resolved (staff principals and citizen sessions) for a short
 * time. Whatever ends or changes a session — logout, a disabled user, a new role or served
 * locations, a citizen's session ending — is published after commit through the Socket.IO Redis
 * adapter to every node (server/realtime/nodes.ts), and each node drops those entries before the
 * publisher's request has answered. While this node cannot hear those messages (Redis down or
 * reconnecting) the cache is not used at all: every request reads the database, as before. When
 * Redis is back the cache starts empty. The TTL bounds what a lost message could ever cost.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';

interface Entry<T> {
	value: T;
	until: number;
	userId: number | null;
}

export interface SessionCache {
	get<T>(sessionId: string): T | undefined;
	set<T>(sessionId: string, value: T, expiresAt: Date | number, userId?: number | null): void;
	/** Sessions ended (logout, revoked): gone at once. */
	drop(sessionIds: readonly string[]): void;
	/** Users changed (role, served locations, disabled): every session of theirs is read again. */
	dropUsers(userIds: readonly number[]): void;
	clear(): void;
	/** False while ends and changes published by other nodes cannot reach this one. */
	setLive(live: boolean): void;
	readonly live: boolean;
	readonly size: number;
}

export function createSessionCache(opts: { ttlMs?: number; max?: number; now?: () => number } = {}): SessionCache {
	const ttl = opts.ttlMs ?? 30_000;
	const max = opts.max ?? 50_000;
	const now = opts.now ?? Date.now;
	const entries = new Map<string, Entry<unknown>>();
	let live = true;
	return {
		get<T>(id: string): T | undefined {
			if (!live) return undefined;
			const e = entries.get(id);
			if (!e) return undefined;
			if (e.until <= now()) {
				entries.delete(id);
				return undefined;
			}
			return e.value as T;
		},
		set(id, value, expiresAt, userId = null) {
			if (!live) return;
			const until = Math.min(now() + ttl, typeof expiresAt === 'number' ? expiresAt : expiresAt.getTime());
			entries.delete(id);
			entries.set(id, { value, until, userId });
			// the oldest entry goes first (a Map keeps insertion order)
			if (entries.size > max) entries.delete(entries.keys().next().value!);
		},
		drop(ids) {
			for (const id of ids) entries.delete(id);
		},
		dropUsers(userIds) {
			const users = new Set(userIds);
			for (const [id, e] of entries) if (e.userId !== null && users.has(e.userId)) entries.delete(id);
		},
		clear() {
			entries.clear();
		},
		setLive(v) {
			live = v;
			if (!v) entries.clear();
		},
		get live() {
			return live;
		},
		get size() {
			return entries.size;
		}
	};
}

const keys = new Map<string, KeyObject>();
/**
 * The signing secret as a KeyObject, made once: given a string, jsonwebtoken first tries it as a
 * public key (an exception every time) and then builds a secret key, on every sign and verify.
 */
export function jwtKey(secret: string): KeyObject {
	let k = keys.get(secret);
	if (!k) keys.set(secret, (k = createSecretKey(Buffer.from(secret))));
	return k;
}
