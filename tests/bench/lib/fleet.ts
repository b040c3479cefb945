/**
 * The storm benchmark's client processes (lib/watchers.ts, forked), and the calls the benchmark
 * makes to all of them at once. Sockets are dealt round-robin over the processes and, within a
 * process, over the servers, so every process carries the same share of every room.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { withTimeout } from './procs.ts';

export interface Group {
	kind: 'public' | 'staff' | 'board';
	urls: string[];
	count: number;
	sub: Record<string, unknown>;
	auth?: Record<string, string>;
}

export interface Load {
	elu: number;
	cpuMs: number;
	seconds: number;
	sockets: number;
	lost: number;
}

type Msg = { id: number; [k: string]: unknown };

export class Fleet {
	private procs: ChildProcess[] = [];
	private next = 1;
	private pending = new Map<number, (m: Msg) => void>();

	constructor(size: number) {
		for (let i = 0; i < size; i++) {
			const p = fork(new URL('./watchers.ts', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
			p.on('message', (m: Msg) => {
				const f = this.pending.get(m.id);
				if (f) {
					this.pending.delete(m.id);
					f(m);
				}
			});
			this.procs.push(p);
		}
	}

	get size() {
		return this.procs.length;
	}

	private call(p: ChildProcess, cmd: string, body: Record<string, unknown> = {}, ms = 300_000): Promise<Msg> {
		const id = this.next++;
		const answer = new Promise<Msg>((resolve) => this.pending.set(id, resolve));
		p.send({ id, cmd, ...body });
		return withTimeout(answer, ms, `client process ${cmd}`).then((m) => {
			if (typeof m.error === 'string') throw new Error(`client process ${cmd}: ${m.error}`);
			return m;
		});
	}

	all(cmd: string, body: Record<string, unknown> = {}, ms?: number): Promise<Msg[]> {
		return Promise.all(this.procs.map((p) => this.call(p, cmd, body, ms)));
	}

	/** Deals each group's sockets over the processes; resolves with the number connected. */
	async connect(groups: Group[]): Promise<number> {
		const n = this.procs.length;
		const share = (g: Group, i: number): Group => ({ ...g, count: Math.floor(g.count / n) + (i < g.count % n ? 1 : 0), urls: rotate(g.urls, i) });
		const r = await Promise.all(this.procs.map((p, i) => this.call(p, 'connect', { groups: groups.map((g) => share(g, i)).filter((g) => g.count > 0) }, 600_000)));
		return r.reduce((a, m) => a + (m.connected as number), 0);
	}

	mark() {
		return this.all('mark');
	}

	async load(): Promise<Load[]> {
		return (await this.all('load')) as unknown as Load[];
	}

	/**
	 * Arms every process for `room` reaching version ≥ target; `armed` resolves once all are
	 * listening (trigger the change after it), `arrived` with the last socket's wall time (NaN when
	 * some socket did not get there within timeoutMs).
	 */
	async arm(room: string, target: number, timeoutMs: number): Promise<{ arrived: Promise<{ firstAt: number; lastAt: number; missing: number }> }> {
		const armedAll: Promise<void>[] = [];
		const arrivedAll: Promise<Msg>[] = [];
		for (const p of this.procs) {
			const id = this.next++;
			let onArmed!: () => void;
			armedAll.push(new Promise<void>((r) => (onArmed = r)));
			arrivedAll.push(
				new Promise<Msg>((resolve) => {
					this.pending.set(id, (first) => {
						if (first.arrived) return resolve(first);
						onArmed();
						this.pending.set(id, resolve);
					});
				})
			);
			p.send({ id, cmd: 'arm', room, target, timeoutMs });
		}
		await Promise.all(armedAll);
		return {
			arrived: Promise.all(arrivedAll).then((ms) => {
				const missing = ms.reduce((a, m) => a + (m.missing as number), 0);
				const firsts = ms.map((m) => m.firstAt as number).filter((x) => x > 0);
				return { firstAt: firsts.length ? Math.min(...firsts) : NaN, lastAt: missing ? NaN : Math.max(...ms.map((m) => m.lastAt as number)), missing };
			})
		};
	}

	/** Per query the time the last socket (over all processes) first showed version ≥ v; -1 if one never did. */
	async staleness(queries: { room: string; slot?: string; v: number }[]): Promise<number[]> {
		const r = await this.all('staleness', { queries }, 600_000);
		return queries.map((_, i) => {
			let max = 0;
			for (const m of r) {
				const at = (m.at as number[])[i];
				if (at < 0) return -1;
				max = Math.max(max, at);
			}
			return max;
		});
	}

	async final(expected: Record<string, { version: number; shown: string }>) {
		const r = await this.all('final', { expected });
		const out: Record<string, { sockets: number; exact: number; reachedAt: number; sample?: string }> = {};
		for (const m of r) {
			for (const [room, x] of Object.entries(m.rooms as typeof out)) {
				const o = (out[room] ??= { sockets: 0, exact: 0, reachedAt: 0 });
				o.sockets += x.sockets;
				o.exact += x.exact;
				o.reachedAt = x.reachedAt < 0 || o.reachedAt < 0 ? -1 : Math.max(o.reachedAt, x.reachedAt);
				o.sample ??= x.sample;
			}
		}
		return out;
	}

	closeSockets() {
		return this.all('close');
	}

	async stop() {
		await this.closeSockets().catch(() => {});
		for (const p of this.procs) p.kill('SIGTERM');
	}
}

function rotate<T>(xs: T[], k: number): T[] {
	const i = k % xs.length;
	return [...xs.slice(i), ...xs.slice(0, i)];
}
