/**
 * R-S18: the city's settings as citizen pages read them (the name in every header, the privacy and
 * help texts), kept by each node for a few seconds so a page view costs no query. A change made on
 * any node reaches every node's copy at once: the use case forgets this node's copy after commit
 * and publishes `citySettingsChanged`, which the realtime hub carries through Redis to the other
 * nodes (server/realtime/nodes.ts), as it does for the session cache. The few seconds only bound how
 * stale a node may be while it cannot hear Redis.
 *
 * Kept per app context under a global symbol: the SvelteKit bundle and server/ are separate module
 * graphs in production, so a module-level map would exist twice.
 */
import type { AppContext } from '../context.ts';
import { readCity, type CitySettingsView } from './read.ts';

const TTL_MS = 5000;
const KEY = Symbol.for('mynumber.city-settings-cache');
type Entry = { at: number; value: Promise<CitySettingsView> };
type Holder = { [KEY]?: WeakMap<object, Entry> };

function entries(): WeakMap<object, Entry> {
	const h = globalThis as Holder;
	return (h[KEY] ??= new WeakMap());
}

export function cachedCity(ctx: AppContext): Promise<CitySettingsView> {
	const map = entries();
	const hit = map.get(ctx);
	if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
	const value = readCity(ctx.db);
	const entry = { at: Date.now(), value };
	map.set(ctx, entry);
	// a failed read is not kept
	value.catch(() => map.get(ctx) === entry && map.delete(ctx));
	return value;
}

/** Drops this node's copy (after a change here, or when another node says it changed one). */
export function forgetCity(ctx: AppContext): void {
	entries().delete(ctx);
}
