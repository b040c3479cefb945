/**
 * CPU of processes the benchmark did not start (Postgres, Redis) from /proc, and small helpers
 * for the storm's figures. Postgres and Redis are shared with whatever else runs on the machine,
 * so their figures are "all processes of that name", said as such in the report.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

/** Summed user+system CPU seconds of every process whose name (comm) is one of `names`. */
export function cpuByName(names: string[]): Record<string, number> {
	const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			const comm = stat.slice(stat.indexOf('(') + 1, close);
			const key = names.find((n) => comm.startsWith(n));
			if (!key) continue;
			const f = stat.slice(close + 2).split(' ');
			out[key] += (Number(f[11]) + Number(f[12])) / TICK;
		} catch {
			/* the process ended meanwhile */
		}
	}
	return out;
}

/** CPU seconds of one child process by pid. */
export function cpuOfPid(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(f[11]) + Number(f[12])) / TICK;
	} catch {
		return NaN;
	}
}

export interface Pct {
	n: number;
	p50: number;
	p99: number;
	max: number;
}

/** Nearest-rank percentiles. */
export function pct(xs: number[]): Pct {
	if (!xs.length) return { n: 0, p50: NaN, p99: NaN, max: NaN };
	const s = Float64Array.from(xs).sort();
	const rank = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
	return { n: s.length, p50: rank(50), p99: rank(99), max: s[s.length - 1] };
}

export const f1 = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
