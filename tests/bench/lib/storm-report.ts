/**
 * The storm benchmark's report: the issue's target table, the storm's own figures, cost as the
 * work grows, printed and written to docs/bench/<name>.{md,json,svg} (the SVG chart drawn here).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { FanoutRound } from './fanout-rounds.ts';
import type { Load } from './fleet.ts';
import { chart } from './svg.ts';
import { f1, type Pct } from './sysload.ts';

type Statuses = [number, number][];
export interface StormResult {
	command: string;
	hw: { cpus: number; model: string; node: string; loadavg: number[] };
	scale: number;
	sizes: Record<string, number>;
	storm: {
		seconds: number;
		bookings: number;
		steps: Record<string, Pct & { statuses: Statuses }>;
		supervisor: Pct & { statuses: Statuses };
		overCapacity: number;
		overCapacityAtEnd: number;
		lost: number;
		reservations: number;
		mailsSent: number;
		outboxUnpublished?: number;
		noAnswer?: [string, number][];
		/** requests sent again on a new connection after the server closed the kept-alive one (http.ts) */
		resent?: number;
		mailsAtSink: number;
		/** mails at the sink once the outbox was empty, and when that was (ms after the last commit; null: not within 10 min) */
		mailsTotal?: number;
		mailsDoneAfterMs?: number | null;
		/** from the outbox row's commit to the sink: login-link mails, and the others (booking mails) */
		mailWait?: { link: Pct; booking: Pct };
		commits: number;
		staleness: { all: Pct; public: Pct; staff: Pct; never: number };
		finals: { room: string; sockets: number; exact: number; reachedAt: number; reachedAfterMs: number | null; sample?: string }[];
		memory: { node: string; sockets: number; rssKiBPerSocket: number; heapKiBPerSocket: number }[];
		cpu: {
			seconds: number;
			nodes: { name: string; cpuSeconds: number }[];
			postgres: number;
			redis: number;
			sink: number;
			driver: number;
			driverElu: number;
			clients: Load[];
			hostPct: number;
			loadavgAfter: number;
		};
	};
	baselines: { get: Pct & { perSecond: number; statuses: Statuses }; sql: Pct & { perSecond: number } };
	levels: {
		clients: number;
		journeys: number;
		bookings: number;
		bookingsPerSecond: number;
		requestsPerSecond?: number;
		noAnswer?: [string, number][];
		resent?: number;
		hold: Pct;
		confirm: Pct;
		session: Pct;
		signinsPerSecond: number;
		statuses: Record<string, Statuses>;
		getPerSecond: number;
		getP99: number;
		sqlPerSecond: number;
		sqlP99: number;
	}[];
	fanout: FanoutRound[];
}

const st = (s: Statuses) => s.map(([k, n]) => `${k === 0 ? 'no answer' : k}×${n}`).join(', ') || '—';
const ms = (p: Pct) => `${f1(p.p50)} / ${f1(p.p99)} / ${f1(p.max)}`;
const yes = (b: boolean) => (b ? 'met' : '**not met**');
const row = (c: (string | number)[]) => `| ${c.join(' | ')} |`;

/** The fan-out table (also printed alone by `bench:storm -- --only fanout`). */
export function fanoutTable(rounds: FanoutRound[]): string[] {
	return [
		row(['sockets', 'app p50/p99/max ms', 'bare p50/p99/max ms', 'p99 ratio', 'app RSS KiB/socket (a / b)', 'bare RSS KiB/socket', 'app CPU ms/push (a / b)', 'bare CPU ms/push', 'client loops busy (max)']),
		row(['---', '---', '---', '---', '---', '---', '---', '---', '---']),
		...rounds.map((x) =>
			row([
				x.n,
				ms(x.app.latency) + (x.app.missing ? ` (${x.app.missing} missing)` : ''),
				ms(x.bare.latency) + (x.bare.missing ? ` (${x.bare.missing} missing)` : ''),
				f1(x.app.latency.p99 / x.bare.latency.p99, 2),
				x.app.rssKiBPerSocket.map((v) => f1(v)).join(' / '),
				x.bare.rssKiBPerSocket.map((v) => f1(v)).join(' / '),
				x.app.cpuMsPerPush.map((v) => f1(v)).join(' / '),
				x.bare.cpuMsPerPush.map((v) => f1(v)).join(' / '),
				f1(Math.max(...x.clientElu), 2)
			])
		)
	];
}

export function report(r: StormResult, name: string): void {
	const s = r.storm;
	const l50 = r.levels.find((l) => l.clients === 50);
	const ratio50 = l50 ? l50.bookingsPerSecond / l50.getPerSecond : NaN;
	const fo = (i: number) => r.fanout[i];
	const foRatio = (x?: FanoutRound) => (x ? x.app.latency.p99 / x.bare.latency.p99 : NaN);
	const maxElu = (x?: FanoutRound) => (x ? Math.max(...x.clientElu) : NaN);
	const sockets = s.finals.reduce((a, x) => a + x.sockets, 0);
	// a room whose last change came before the storm's last commit may have reached its final state earlier (negative)
	const exactIn1s = s.finals.reduce((a, x) => a + (x.reachedAfterMs !== null && x.reachedAfterMs <= 1000 ? x.exact : 0), 0);
	const slowestFinal = Math.max(...s.finals.map((x) => (x.reachedAfterMs === null ? Infinity : x.reachedAfterMs)));
	const memMax = Math.max(...s.memory.map((m) => m.rssKiBPerSocket));
	const fo1 = fo(0);
	const fo5 = fo(2);
	const out: string[] = [];
	out.push(
		`Command: \`${r.command}\` — ${r.hw.cpus} × ${r.hw.model}, Node ${r.hw.node}, load average before ${r.hw.loadavg.join(' ')}.`,
		`Sizes: ${r.sizes.watchers} citizen sockets, ${r.sizes.staff} staff screens, ${r.sizes.boards} boards (${r.sizes.connected} sockets over ${r.sizes.clientProcs} client processes, connected in ${f1(r.sizes.connectSeconds)} s); ` +
			`${r.sizes.citizens} citizens, ${r.sizes.concurrency} at a time, ${r.sizes.perTime} per time with ${r.sizes.freePerTime} free places each.`,
		'',
		row(['figure', 'target', 'this run', '']),
		row(['---', '---', '---', '---']),
		row(['HTTP booking rate (hold + confirm) / plain authenticated GET rate, 50 clients', '≥ 0.5', `${f1(ratio50, 2)} (${f1(l50?.bookingsPerSecond ?? NaN)} / ${f1(l50?.getPerSecond ?? NaN, 0)} per s)`, yes(ratio50 >= 0.5)]),
		row([
			'for comparison with the issue’s “now” (bench:booking, one POST per booking): booking requests (holds and confirms) / GET, 50 clients',
			'—',
			`${f1((l50?.requestsPerSecond ?? NaN) / (l50?.getPerSecond ?? NaN), 2)} (${f1(l50?.requestsPerSecond ?? NaN)} / ${f1(l50?.getPerSecond ?? NaN, 0)} per s)`,
			''
		]),
		row(['booking p99, 50 clients (hold / confirm)', '≤ 200 ms', `${f1(l50?.hold.p99 ?? NaN)} / ${f1(l50?.confirm.p99 ?? NaN)} ms`, yes((l50?.hold.p99 ?? Infinity) <= 200 && (l50?.confirm.p99 ?? Infinity) <= 200)]),
		row([`fan-out p99 / bare p99, ${fo1?.n} sockets`, '≤ 1.3, server-bound', `${f1(foRatio(fo1), 2)} (${f1(fo1?.app.latency.p99 ?? NaN)} / ${f1(fo1?.bare.latency.p99 ?? NaN)} ms; busiest client loop ${f1(maxElu(fo1), 2)})`, yes(foRatio(fo1) <= 1.3)]),
		row([`fan-out p99 / bare p99, ${fo5?.n} sockets`, '≤ 1.3, server-bound', `${f1(foRatio(fo5), 2)} (${f1(fo5?.app.latency.p99 ?? NaN)} / ${f1(fo5?.bare.latency.p99 ?? NaN)} ms; busiest client loop ${f1(maxElu(fo5), 2)})`, yes(foRatio(fo5) <= 1.3)]),
		row(['staleness p99 during the storm', '≤ 500 ms', `${f1(s.staleness.all.p99)} ms (p50 ${f1(s.staleness.all.p50)}, max ${f1(s.staleness.all.max)}; ${s.staleness.all.n} commits${s.staleness.never ? `, ${s.staleness.never} never shown` : ''})`, yes(s.staleness.all.p99 <= 500 && !s.staleness.never)]),
		row(['every socket exact after the storm', 'within 1 s, 100 %', `${exactIn1s} / ${sockets} (${f1((100 * exactIn1s) / sockets)} %); the last room there ${f1(slowestFinal, 0)} ms after the last commit`, yes(exactIn1s === sockets)]),
		row(['places over capacity, bookings lost', '0, 0', `${s.overCapacity}, ${s.lost} (${s.bookings} confirmed, ${s.reservations} active citizen reservations)`, yes(!s.overCapacity && !s.lost)]),
		row(['server memory per socket (RSS, per node)', '≤ 16 KiB', s.memory.map((m) => `${f1(m.rssKiBPerSocket)} KiB (heap ${f1(m.heapKiBPerSocket)})`).join(' / '), yes(memMax <= 16)]),
		'',
		`**The storm**: ${s.bookings} bookings in ${f1(s.seconds)} s = **${f1(s.bookings / s.seconds)} bookings/s**; ${s.commits} commits watched (bookings and capacity changes); ` +
			`${s.mailsAtSink} mails (links and booking mails) had reached the SMTP sink when the sockets were checked${s.outboxUnpublished !== undefined ? `, ${s.outboxUnpublished} outbox rows still unpublished` : ''}` +
			(s.mailsDoneAfterMs === undefined ? '.' : s.mailsDoneAfterMs === null ? '; the outbox was still not empty 10 minutes later.' : `; all ${s.mailsTotal} mails were at the sink ${f1(s.mailsDoneAfterMs / 1000)} s after the last commit.`) +
			(s.noAnswer?.length ? ` Requests without an HTTP answer: ${s.noAnswer.map(([k, n]) => `${k}×${n}`).join(', ')}.` : ' Every request had an HTTP answer.') +
			(s.resent ? ` ${s.resent} requests were sent again on a new connection because the node had just closed the idle kept-alive one (as a browser does).` : ''),
		'',
		row(['step', 'p50 / p99 / max ms', 'answers']),
		row(['---', '---', '---']),
		...Object.entries(s.steps).map(([k, p]) => row([k, ms(p), st(p.statuses)])),
		row(['supervisor capacity change', ms(s.supervisor), st(s.supervisor.statuses)]),
		'',
		...(s.mailWait
			? [
					`Mail, from the commit that wrote it to the SMTP sink (p50 / p99 / max): login-link mails ${ms(s.mailWait.link)} ms (${s.mailWait.link.n}); booking mails ${ms(s.mailWait.booking)} ms (${s.mailWait.booking.n}).`,
					''
				]
			: []),
		`Staleness (commit's 201 → last watching socket shows that version): all ${ms(s.staleness.all)}; citizen calendars ${ms(s.staleness.public)}; staff screens ${ms(s.staleness.staff)} ms.`,
		'',
		row(['process', 'CPU s during the storm', '% of one core', 'event loop busy']),
		row(['---', '---', '---', '---']),
		...s.cpu.nodes.map((n) => row([`app ${n.name}`, f1(n.cpuSeconds), f1((100 * n.cpuSeconds) / s.cpu.seconds, 0), ''])),
		row(['Postgres (all its processes on the machine)', f1(s.cpu.postgres), f1((100 * s.cpu.postgres) / s.cpu.seconds, 0), '']),
		row(['Redis (all redis-server on the machine)', f1(s.cpu.redis), f1((100 * s.cpu.redis) / s.cpu.seconds, 0), '']),
		row(['mail sink', f1(s.cpu.sink), f1((100 * s.cpu.sink) / s.cpu.seconds, 0), '']),
		row(['benchmark driver (citizens over HTTP)', f1(s.cpu.driver), f1((100 * s.cpu.driver) / s.cpu.seconds, 0), f1(s.cpu.driverElu, 2)]),
		...s.cpu.clients.map((c, i) => row([`client process ${i + 1} (${c.sockets} sockets, ${c.lost} lost)`, f1(c.cpuMs / 1000), f1((100 * c.cpuMs) / 1000 / c.seconds, 0), f1(c.elu, 2)])),
		row(['whole machine (every process, ours or not)', '', f1(s.cpu.hostPct, 0), `1-min load average at the end ${f1(s.cpu.loadavgAfter, 2)}`]),
		'',
		`Baselines at ${r.sizes.concurrency} clients: plain authenticated GET ${f1(r.baselines.get.perSecond, 0)}/s (p50/p99/max ${ms(r.baselines.get)} ms); ` +
			`the booking's core SQL through pg ${f1(r.baselines.sql.perSecond, 0)} bookings/s (hold + confirm ${ms(r.baselines.sql)} ms). ` +
			`Storm bookings/s ÷ GET/s = ${f1(s.bookings / s.seconds / r.baselines.get.perSecond, 3)}; ÷ pg = ${f1(s.bookings / s.seconds / r.baselines.sql.perSecond, 3)}.`,
		'',
		'**Booking as the clients grow** (each level its own citizens on fresh times: first all sign in (link, session), then all book (hold + confirm), and bookings/s is the booking phase alone, as the pg baseline measures hold + confirm; GET and pg at the same concurrency)',
		'',
		row(['clients', 'bookings/s', 'requests/s', 'hold p50/p99', 'confirm p50/p99', 'sign-ins/s (session p99)', 'GET/s', 'booking/GET', 'pg bookings/s', 'pg p99', 'refused holds', 'no answer (resent)']),
		row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---', '---']),
		...r.levels.map((l) =>
			row([
				l.clients,
				f1(l.bookingsPerSecond),
				f1(l.requestsPerSecond ?? NaN),
				`${f1(l.hold.p50)} / ${f1(l.hold.p99)}`,
				`${f1(l.confirm.p50)} / ${f1(l.confirm.p99)}`,
				`${f1(l.signinsPerSecond)} (${f1(l.session.p99)})`,
				f1(l.getPerSecond, 0),
				f1(l.bookingsPerSecond / l.getPerSecond, 2),
				f1(l.sqlPerSecond, 0),
				f1(l.sqlP99),
				st((l.statuses.hold ?? []).filter(([k]) => k !== 201 && k !== 0)),
				`${l.noAnswer?.length ? l.noAnswer.map(([k, n]) => `${k}×${n}`).join(', ') : '0'} (${l.resent ?? 0})`
			])
		),
		'',
		'**Fan-out as the sockets grow** (request → last socket shows the new version; app and bare pushes interleaved)',
		'',
		...fanoutTable(r.fanout)
	);
	const md = out.join('\n');
	console.log('\n' + md + '\n');
	const svg = chart(`bench:storm — ${r.command}`, [
		{
			title: 'Bookings/s as the clients grow',
			xLabel: 'concurrent clients',
			yLabel: 'bookings per second',
			logX: true,
			series: [
				{ name: 'app (HTTP hold + confirm)', color: '#1565c0', points: r.levels.map((l) => [l.clients, l.bookingsPerSecond]) },
				{ name: 'pg, core SQL only', color: '#2e7d32', dashed: true, points: r.levels.map((l) => [l.clients, l.sqlPerSecond]) }
			]
		},
		{
			title: 'Booking p99 as the clients grow',
			xLabel: 'concurrent clients',
			yLabel: 'p99 ms',
			logX: true,
			series: [
				{ name: 'hold', color: '#ef6c00', points: r.levels.map((l) => [l.clients, l.hold.p99]) },
				{ name: 'confirm', color: '#c62828', points: r.levels.map((l) => [l.clients, l.confirm.p99]) },
				{ name: 'pg hold+confirm', color: '#2e7d32', dashed: true, points: r.levels.map((l) => [l.clients, l.sqlP99]) }
			]
		},
		{
			title: 'Fan-out p99 as the sockets grow',
			xLabel: 'watching sockets',
			yLabel: 'request → last socket, p99 ms',
			logX: true,
			series: [
				{ name: 'app', color: '#1565c0', points: r.fanout.map((x) => [x.n, x.app.latency.p99]) },
				{ name: 'bare Socket.IO', color: '#2e7d32', dashed: true, points: r.fanout.map((x) => [x.n, x.bare.latency.p99]) }
			]
		}
	]);
	mkdirSync('docs/bench', { recursive: true });
	writeFileSync(`docs/bench/${name}.md`, md + '\n');
	writeFileSync(`docs/bench/${name}.svg`, svg + '\n');
	writeFileSync(`docs/bench/${name}.json`, JSON.stringify(r, null, 1) + '\n');
	console.log(`written docs/bench/${name}.md, .svg, .json`);
	console.log(`STORM_RESULT ${JSON.stringify({ ratio50, staleP99: s.staleness.all.p99, exactIn1s, sockets, over: s.overCapacity, lost: s.lost, bookingsPerSecond: s.bookings / s.seconds })}`);
}
