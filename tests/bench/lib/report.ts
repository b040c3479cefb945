/** The fan-out benchmark's table: app and baseline side by side, with the ratio app/baseline. */
import { cpus } from 'node:os';
import type { RoundResult, SideResult, Summary } from './phase.ts';

const f = (x: number | undefined, digits = 1) => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '—');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
type MemoryKey = keyof SideResult['memory'][string];
const mem = (r: SideResult, key: MemoryKey, digits = 1) =>
	Object.values(r.memory)
		.map((m) => f(m[key], digits))
		.join(' / ');
const cpuPerPush = (r: SideResult) =>
	Object.values(r.serverCpuMsPerPush)
		.map((v) => f(v))
		.join(' / ');

export function table(round: RoundResult, context: string): string {
	const [app, base] = round.sides;
	const rows: [string, string, string, string][] = [];
	const lat = (name: string, pick: (r: SideResult) => Summary | null, withRatio: boolean) => {
		for (const k of ['p50', 'p99', 'max'] as const) {
			const a = pick(app)?.[k];
			const b = pick(base)?.[k];
			rows.push([(k === 'p50' ? name : '').padEnd(34) + `${k} ms`, f(a), f(b), withRatio && a !== undefined && b !== undefined ? ratio(a, b) : '']);
		}
	};
	lat('request sent → last client', (r) => r.latency, true);
	lat('response → last client', (r) => r.afterResponse, false);
	lat('server emit → last client', (r) => r.emitToLast, false);
	rows.push(['request sent → first client       p50 ms', f(app.first.p50), f(base.first.p50), '']);
	rows.push(['first → last client (spread)      p50 ms', f(app.spread.p50), f(base.spread.p50), '']);
	rows.push(['messages/s (first request → last receipt)', f(app.msgsPerSec, 0), f(base.msgsPerSec, 0), ratio(app.msgsPerSec, base.msgsPerSec)]);
	rows.push(['messages/s (while a push is in flight)', f(app.msgsPerSecInPush, 0), f(base.msgsPerSecInPush, 0), ratio(app.msgsPerSecInPush, base.msgsPerSecInPush)]);
	rows.push(['pushes received / expected', `${app.received}/${app.expected}`, `${base.received}/${base.expected}`, '']);
	rows.push(['connect + subscribe all clients   s', f(app.connectSeconds), f(base.connectSeconds), '']);
	rows.push(['memory per connection, RSS  KiB (a / b)', mem(app, 'rssKiBPerConn'), mem(base, 'rssKiBPerConn'), '']);
	rows.push(['memory per connection, heap KiB (a / b)', mem(app, 'heapKiBPerConn'), mem(base, 'heapKiBPerConn'), '']);
	rows.push(['server RSS with N/2 connected MiB (a / b)', mem(app, 'rssMiBAfter', 0), mem(base, 'rssMiBAfter', 0), '']);
	rows.push(['server CPU per push            ms (a / b)', cpuPerPush(app), cpuPerPush(base), '']);
	rows.push(['client CPU per push               ms', f(app.clientCpuMsPerPush), f(base.clientCpuMsPerPush), '']);
	rows.push(['client CPU per message received   µs', f(app.clientCpuUsPerMessage), f(base.clientCpuUsPerMessage), '']);
	rows.push(['client event loop busy, first→last p50', f(app.clientBusyInSpread.p50, 2), f(base.clientBusyInSpread.p50, 2), '']);

	const w = [48, 16, 16, 12];
	const line = (c: string[]) => c[0].padEnd(w[0]) + c[1].padStart(w[1]) + c[2].padStart(w[2]) + c[3].padStart(w[3]);
	const machine =
		`measured window ${round.windowSeconds.toFixed(0)} s (pushes of both sides interleaved); whole machine CPU ` +
		`${round.hostCpuPct.toFixed(0)} % of a core (max ${cpus().length * 100}); 1-minute load average at the end ${round.loadavgAfter.toFixed(2)}`;
	return [context, line(['', 'app', 'baseline', 'app/base']), '-'.repeat(w.reduce((a, b) => a + b)), ...rows.map(line), machine].join('\n');
}
