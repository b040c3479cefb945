/**
 * Child processes for the benchmarks: app nodes (server/index.ts on the built app) and bare
 * Socket.IO servers, each on a free port of 127.0.0.1, with their output in a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createServer } from 'node:net';

export interface Proc {
	name: string;
	url: string;
	port: number;
	child: ChildProcess;
	logFile: string;
	/** Port of the V8 inspector on 127.0.0.1 (used only to force a GC before reading memory). */
	inspectPort: number;
	stop(): Promise<void>;
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.unref();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with `fn()` or rejects after `ms` with a message naming what was awaited. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
	});
	return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts `node <script>` with `env` plus PORT/HOST, and waits until `readyPath` answers 2xx
 * (at most `readyMs`). Throws with the log's tail when the process exits or never gets ready.
 */
export async function startProcess(
	name: string,
	script: string,
	env: Record<string, string>,
	opts: { logDir: string; readyPath: string; readyMs?: number; nodeArgs?: string[] }
): Promise<Proc> {
	const port = await freePort();
	const inspectPort = await freePort();
	const logFile = `${opts.logDir}/${name}.log`;
	const out = openSync(logFile, 'a');
	const child = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectPort}`, ...(opts.nodeArgs ?? []), script], {
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
		stdio: ['ignore', out, out]
	});
	closeSync(out);
	const url = `http://127.0.0.1:${port}`;
	const proc: Proc = {
		name,
		url,
		port,
		child,
		logFile,
		inspectPort,
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((r) => child.once('exit', () => r()));
			child.kill('SIGTERM');
			try {
				await withTimeout(exited, 12_000, `${name} to exit`);
			} catch {
				child.kill('SIGKILL');
				await withTimeout(exited, 3_000, `${name} to exit after SIGKILL`).catch(() => {});
			}
		}
	};
	const deadline = Date.now() + (opts.readyMs ?? 60_000);
	while (Date.now() < deadline) {
		if (child.exitCode !== null) break;
		const ok = await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(2_000) }).then(
			(r) => r.ok,
			() => false
		);
		if (ok) return proc;
		await sleep(150);
	}
	await proc.stop();
	throw new Error(`${name} did not become ready (exit code ${child.exitCode}); ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
}

/**
 * A full garbage collection in another process through its inspector (HeapProfiler.collectGarbage),
 * so that heap and resident figures read afterwards count live objects rather than garbage.
 */
export async function collectGarbage(inspectPort: number): Promise<void> {
	const list = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`, { signal: AbortSignal.timeout(5_000) })).json()) as { webSocketDebuggerUrl: string }[];
	const ws = new WebSocket(list[0].webSocketDebuggerUrl);
	const done = new Promise<void>((resolve, reject) => {
		ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
		ws.onmessage = (m) => {
			if (JSON.parse(String(m.data)).id === 1) resolve();
		};
		ws.onerror = () => reject(new Error(`inspector on port ${inspectPort} failed`));
	});
	try {
		await withTimeout(done, 15_000, `GC through the inspector on port ${inspectPort}`);
	} finally {
		ws.close();
	}
}

/** Numbers from a Prometheus text exposition, unlabelled series only. */
export function parseMetrics(text: string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const line of text.split('\n')) {
		if (!line || line.startsWith('#')) continue;
		const m = /^([a-zA-Z_:][\w:]*) (\S+)/.exec(line);
		if (m) out[m[1]] = Number(m[2]);
	}
	return out;
}

/** Resident set, V8 heap used and CPU seconds of one process, as the benchmark reads them. */
export interface ProcStats {
	rss: number;
	heapUsed: number;
	cpuSeconds: number;
	clients: number;
}

export async function appStats(url: string): Promise<ProcStats> {
	const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
	if (!r.ok) throw new Error(`${url}/metrics answered ${r.status}`);
	const m = parseMetrics(await r.text());
	return {
		rss: m.process_resident_memory_bytes,
		heapUsed: m.nodejs_heap_size_used_bytes,
		cpuSeconds: m.process_cpu_seconds_total,
		clients: m.socketio_connected_clients
	};
}

/** The bare server answers /stats with the same four figures (see bare-server.ts). */
export async function bareStats(url: string): Promise<ProcStats> {
	const r = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(10_000) });
	if (!r.ok) throw new Error(`${url}/stats answered ${r.status}`);
	return (await r.json()) as ProcStats;
}

/**
 * Whole-machine CPU since boot from /proc/stat, to tell how busy the host was (our processes,
 * Postgres, Redis and anything else) during a window: hostCpuPct(a, b) in % of one core.
 */
export function hostCpu(): { busy: number; total: number } {
	const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const total = f.reduce((a, b) => a + b, 0);
	return { busy: total - f[3] - (f[4] ?? 0), total };
}

export function hostCpuPct(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
	return (100 * cpus().length * (b.busy - a.busy)) / Math.max(1, b.total - a.total);
}
