/**
 * A client process of the storm benchmark (forked by storm.ts, driven over IPC): holds a share of
 * the watching sockets — citizens on `/public` (a location's month), staff screens on `/staff` (a
 * location's day), boards on `/board` — and logs, per socket, the wall-clock time at which it first
 * held each newer version. From those logs it answers, after the fact, when every socket of a room
 * first showed a given version (staleness), and whether each socket's last state equals the final
 * state and since when. Each process reports its own event-loop load and CPU, so a saturated
 * client is visible rather than mistaken for a slow server.
 *
 * Commands (process.send / on 'message'), each answered with the same `id`:
 *   connect {groups:[{kind, urls, count, sub, auth}]}  → {connected}
 *   mark                                                → {} (starts the load window)
 *   load                                                → {elu, cpuMs, seconds, sockets, lost}
 *   arm {room, target, timeoutMs}                       → {lastAt, firstAt} when all sockets of room hold ≥ target
 *   staleness {queries:[{room, slot?, v}]}              → {at:[max first time ≥ v, or -1 when a socket never got there]}
 *   final {expected:{[room]: {version, state}}}         → {[room]: {sockets, exact, reachedAt}}
 *   close                                               → {}
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

type Kind = 'public' | 'staff' | 'board';
interface Group {
	kind: Kind;
	urls: string[];
	count: number;
	sub: Record<string, unknown>;
	auth?: Record<string, string>;
}
interface Log {
	v: number[];
	t: number[];
}
interface Watcher {
	room: string;
	kind: Kind;
	socket: Socket;
	/** whole-state version log (public: month version; board: counters version; staff: max over slots) */
	log: Log;
	/** staff: per slot id */
	slots?: Map<string, Log>;
	/** staff: latest state per slot */
	slotState?: Map<string, Record<string, unknown>>;
	state: unknown;
}

const now = () => performance.timeOrigin + performance.now();
const watchers: Watcher[] = [];
const byRoom = new Map<string, Watcher[]>();
let lost = 0;
let closing = false;
let elu0: EventLoopUtilization = performance.eventLoopUtilization();
let cpu0 = process.cpuUsage();
let t0 = performance.now();

interface Waiter {
	target: number;
	remaining: number;
	firstAt: number;
	lastAt: number;
	done: () => void;
}
const waiters = new Map<string, Waiter>();

function record(log: Log, v: number, t: number): boolean {
	const last = log.v.length ? log.v[log.v.length - 1] : -Infinity;
	if (v <= last) return false;
	log.v.push(v);
	log.t.push(t);
	return true;
}

function onVersion(w: Watcher, v: number, t: number) {
	const before = w.log.v.length ? w.log.v[w.log.v.length - 1] : -Infinity;
	if (!record(w.log, v, t)) return;
	const wait = waiters.get(w.room);
	if (wait && v >= wait.target && before < wait.target) {
		if (wait.firstAt === 0) wait.firstAt = t;
		wait.lastAt = t;
		if (--wait.remaining === 0) wait.done();
	}
}

function applyStaff(w: Watcher, p: { slots: Record<string, unknown>[] }, t: number) {
	let max = 0;
	for (const s of p.slots) {
		const id = String(s.id);
		const v = Number(s.version);
		let log = w.slots!.get(id);
		if (!log) w.slots!.set(id, (log = { v: [], t: [] }));
		const cur = w.slotState!.get(id);
		if (!cur || Number(cur.version) < v) w.slotState!.set(id, s);
		record(log, v, t);
	}
	for (const s of w.slotState!.values()) max += Number(s.version);
	onVersion(w, max, t);
}

function connectOne(g: Group, url: string): Promise<Watcher> {
	const ns = g.kind === 'public' ? '/public' : g.kind === 'staff' ? '/staff' : '/board';
	const socket = io(`${url}${ns}`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000, auth: g.auth ?? {} });
	const room =
		g.kind === 'public' ? `pub:${g.sub.locationId}:${g.sub.month}` : g.kind === 'staff' ? `staff:${g.sub.locationId}:${g.sub.date}` : `board:${g.sub.locationId}`;
	const w: Watcher = { room, kind: g.kind, socket, log: { v: [], t: [] }, state: null };
	if (g.kind === 'staff') {
		w.slots = new Map();
		w.slotState = new Map();
	}
	const event = g.kind === 'public' ? 'availability' : g.kind === 'staff' ? 'slots' : 'counters';
	socket.on(event, (p: Record<string, unknown>) => {
		const t = now();
		if (g.kind === 'staff') applyStaff(w, p as { slots: Record<string, unknown>[] }, t);
		else {
			const v = Number(p.version);
			if (w.log.v.length === 0 || v > w.log.v[w.log.v.length - 1]) w.state = p;
			onVersion(w, v, t);
		}
	});
	socket.on('disconnect', () => {
		if (!closing) lost++;
	});
	return new Promise<Watcher>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`connect+subscribe ${ns} timed out`)), 60_000);
		socket.once('connect_error', (e) => {
			clearTimeout(timer);
			reject(new Error(`connect ${ns}: ${e.message}`));
		});
		socket.once('connect', () => {
			socket.emit('subscribe', g.sub, (r: { data?: Record<string, unknown>; error?: { code: string; message: string } }) => {
				clearTimeout(timer);
				if (!r.data) return reject(new Error(`subscribe ${ns}: ${r.error?.code} ${r.error?.message}`));
				const t = now();
				if (g.kind === 'staff') applyStaff(w, r.data as { slots: Record<string, unknown>[] }, t);
				else {
					w.state = r.data;
					record(w.log, Number(r.data.version), t);
				}
				resolve(w);
			});
		});
	});
}

async function connect(groups: Group[]): Promise<number> {
	let n = 0;
	for (const g of groups) {
		for (let start = 0; start < g.count; start += 100) {
			const batch = Array.from({ length: Math.min(100, g.count - start) }, (_, k) => connectOne(g, g.urls[(start + k) % g.urls.length]));
			const ws = await Promise.all(batch);
			for (const w of ws) {
				watchers.push(w);
				const list = byRoom.get(w.room) ?? [];
				list.push(w);
				byRoom.set(w.room, list);
				n++;
			}
		}
	}
	return n;
}

/** First time the log holds a version ≥ v, or -1. */
function firstAtLeast(log: Log, v: number): number {
	let lo = 0;
	let hi = log.v.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (log.v[mid] >= v) hi = mid;
		else lo = mid + 1;
	}
	return lo < log.v.length ? log.t[lo] : -1;
}

function staleness(queries: { room: string; slot?: string; v: number }[]): number[] {
	return queries.map((q) => {
		const list = byRoom.get(q.room);
		if (!list) return 0;
		let max = 0;
		for (const w of list) {
			const log = q.slot !== undefined ? w.slots?.get(q.slot) : w.log;
			const at = log ? firstAtLeast(log, q.v) : -1;
			if (at < 0) return -1;
			if (at > max) max = at;
		}
		return max;
	});
}

const pick = (o: Record<string, unknown>, keys: string[]) => JSON.stringify(keys.map((k) => o[k]));
const SLOT_KEYS = ['id', 'capacity', 'booked', 'held', 'checkedIn', 'version'];

/** The state a socket shows, reduced to what must equal the final state. */
function shown(w: Watcher): string {
	if (w.kind === 'public') {
		const s = w.state as { days: unknown; version: string };
		return JSON.stringify([s.days, s.version]);
	}
	if (w.kind === 'board') {
		const s = w.state as Record<string, unknown>;
		return pick(s, ['booked', 'checkedIn', 'issued', 'waiting', 'noShow', 'slotCount', 'version']);
	}
	return JSON.stringify([...w.slotState!.values()].sort((a, b) => Number(a.id) - Number(b.id)).map((s) => pick(s, SLOT_KEYS)));
}

function final(expected: Record<string, { version: number; shown: string }>) {
	const out: Record<string, { sockets: number; exact: number; reachedAt: number; sample?: string }> = {};
	for (const [room, e] of Object.entries(expected)) {
		const list = byRoom.get(room) ?? [];
		const r = { sockets: list.length, exact: 0, reachedAt: 0, sample: undefined as string | undefined };
		for (const w of list) {
			const s = shown(w);
			if (s === e.shown) r.exact++;
			else r.sample ??= s.slice(0, 300);
			const at = firstAtLeast(w.log, e.version);
			r.reachedAt = at < 0 || r.reachedAt < 0 ? -1 : Math.max(r.reachedAt, at);
		}
		out[room] = r;
	}
	return out;
}

process.on('message', async (m: { id: number; cmd: string; [k: string]: unknown }) => {
	const reply = (body: Record<string, unknown>) => process.send!({ id: m.id, ...body });
	try {
		switch (m.cmd) {
			case 'connect':
				return reply({ connected: await connect(m.groups as Group[]) });
			case 'mark':
				elu0 = performance.eventLoopUtilization();
				cpu0 = process.cpuUsage();
				t0 = performance.now();
				return reply({});
			case 'load': {
				const cpu = process.cpuUsage(cpu0);
				return reply({
					elu: performance.eventLoopUtilization(elu0).utilization,
					cpuMs: (cpu.user + cpu.system) / 1000,
					seconds: (performance.now() - t0) / 1000,
					sockets: watchers.length,
					lost
				});
			}
			case 'arm': {
				const room = m.room as string;
				const target = m.target as number;
				const list = byRoom.get(room) ?? [];
				let remaining = 0;
				for (const w of list) if ((w.log.v[w.log.v.length - 1] ?? -Infinity) < target) remaining++;
				const done = new Promise<void>((resolve) => {
					waiters.set(room, { target, remaining, firstAt: 0, lastAt: 0, done: resolve });
					if (remaining === 0) resolve();
				});
				reply({ armed: true });
				const timer = setTimeout(() => waiters.get(room)?.done(), m.timeoutMs as number);
				await done;
				clearTimeout(timer);
				const w = waiters.get(room)!;
				waiters.delete(room);
				return process.send!({ id: m.id, arrived: true, firstAt: w.firstAt, lastAt: w.lastAt, missing: w.remaining });
			}
			case 'staleness':
				return reply({ at: staleness(m.queries as { room: string; slot?: string; v: number }[]) });
			case 'final':
				return reply({ rooms: final(m.expected as Record<string, { version: number; shown: string }>) });
			case 'close':
				closing = true;
				for (const w of watchers) w.socket.disconnect();
				watchers.length = 0;
				byRoom.clear();
				return reply({});
		}
	} catch (e) {
		reply({ error: (e as Error).message });
	}
});
process.on('disconnect', () => process.exit(0));
