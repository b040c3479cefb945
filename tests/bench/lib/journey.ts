/**
 * The citizen journey of the storm benchmark, exactly through the public contract:
 *   1. POST /api/v1/citizen/links {email}                → 202 (link row + outbox mail)
 *   2. the link token: newest citizen_links row for the email, signed as the mail signs it
 *   3. POST /api/v1/citizen/session {token}              → 201 {token}
 *   4. POST /api/v1/holds {slotId, purposeId, persons}   → 201 {holdId} (verification happens here)
 *   5. POST /api/v1/holds/{id}/confirm {acknowledged…}   → 201 {reservationNumber}
 * Every step's latency and status is recorded; a citizen whose step fails stops there.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { linkToken } from '../../../src/lib/server/citizen/tokens.ts';
import { send, sourceAddress } from './http.ts';

export const STEPS = ['link', 'token', 'session', 'hold', 'confirm', 'journey'] as const;
export type Step = (typeof STEPS)[number];

export interface Citizen {
	email: string;
	noticeId: string;
	monthDay: string;
	slotId: string;
	purposeId: number;
	/** which node serves this citizen (alternates per step, as a load balancer would) */
	node: number;
}

export interface Commit {
	slotId: string;
	/** wall-clock ms when the 201 arrived (the commit happened before it) */
	at: number;
	reservationNumber?: string;
}

export interface JourneyRun {
	latencies: Record<Step, number[]>;
	statuses: Record<Step, Map<number, number>>;
	confirmed: Commit[];
	seconds: number;
	/** split runs: the sign-in phase (link, token, session) and the booking phase (hold, confirm) */
	signinSeconds?: number;
	bookingSeconds?: number;
	started: number;
	ended: number;
}

const wall = () => performance.timeOrigin + performance.now();

export function newRun(): JourneyRun {
	const latencies = {} as Record<Step, number[]>;
	const statuses = {} as Record<Step, Map<number, number>>;
	for (const s of STEPS) {
		latencies[s] = [];
		statuses[s] = new Map();
	}
	return { latencies, statuses, confirmed: [], seconds: 0, started: 0, ended: 0 };
}

/** Runs `citizens` with `concurrency` workers taking them in order; `net` picks the 127.<net>.x.y source range. */
export async function runJourneys(
	citizens: Citizen[],
	concurrency: number,
	o: { urls: string[]; db: pg.Pool; jwtSecret: string; net: number; onCommit?: (c: Commit) => void; split?: boolean }
): Promise<JourneyRun> {
	const run = newRun();
	const time = async <T>(step: Step, fn: () => Promise<{ status: number; value?: T }>, ok: number) => {
		const t = performance.now();
		const r = await fn();
		run.latencies[step].push(performance.now() - t);
		run.statuses[step].set(r.status, (run.statuses[step].get(r.status) ?? 0) + 1);
		return r.status === ok ? (r.value ?? (true as T)) : null;
	};
	/** link, link token, session: the citizen's session token, or null when a step failed */
	const signIn = async (c: Citizen, i: number): Promise<string | null> => {
		const from = sourceAddress(o.net, i);
		const url = (k: number) => o.urls[(c.node + k) % o.urls.length];
		const linked = await time('link', async () => send(`${url(0)}/api/v1/citizen/links`, { method: 'POST', body: { email: c.email }, from }), 202);
		if (!linked) return null;
		const link = await time<string>(
			'token',
			async () => {
				const { rows } = await o.db.query<{ id: string }>(`SELECT id FROM citizen_links WHERE email = $1 ORDER BY created_at DESC LIMIT 1`, [c.email]);
				return rows[0] ? { status: 200, value: linkToken(o.jwtSecret, rows[0].id) } : { status: 404 };
			},
			200
		);
		if (!link) return null;
		return time<string>(
			'session',
			async () => {
				const r = await send(`${url(1)}/api/v1/citizen/session`, { method: 'POST', body: { token: link }, from });
				return { status: r.status, value: (r.body as { token?: string })?.token };
			},
			201
		);
	};
	/** hold, confirm: the booking itself */
	const book = async (c: Citizen, i: number, token: string): Promise<boolean> => {
		const from = sourceAddress(o.net, i);
		const url = (k: number) => o.urls[(c.node + k) % o.urls.length];
		const holdId = await time<string>(
			'hold',
			async () => {
				const r = await send(`${url(0)}/api/v1/holds`, {
					method: 'POST',
					token,
					from,
					body: { slotId: c.slotId, purposeId: c.purposeId, persons: [{ noticeId: c.noticeId, birthMonthDay: c.monthDay }] }
				});
				return { status: r.status, value: String((r.body as { holdId?: string })?.holdId) };
			},
			201
		);
		if (!holdId) return false;
		const number = await time<string>(
			'confirm',
			async () => {
				const r = await send(`${url(1)}/api/v1/holds/${holdId}/confirm`, { method: 'POST', token, from, body: { acknowledgedPrecautions: true } });
				return { status: r.status, value: (r.body as { reservationNumber?: string })?.reservationNumber };
			},
			201
		);
		if (!number) return false;
		const commit = { slotId: c.slotId, at: wall(), reservationNumber: number };
		run.confirmed.push(commit);
		o.onCommit?.(commit);
		return true;
	};
	const one = async (c: Citizen, i: number) => {
		const t0 = performance.now();
		const token = await signIn(c, i);
		if (!token || !(await book(c, i, token))) return;
		run.latencies.journey.push(performance.now() - t0);
		run.statuses.journey.set(201, (run.statuses.journey.get(201) ?? 0) + 1);
	};
	const workers = async (fn: (i: number) => Promise<unknown>) => {
		let k = 0;
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				for (let i = k++; i < citizens.length; i = k++) await fn(i);
			})
		);
	};
	if (o.split) {
		// The booking measured alone (hold + confirm, what the pg baseline does too), after every
		// citizen has signed in; the journey latency is then not recorded.
		const tokens: (string | null)[] = [];
		run.started = wall();
		let t = performance.now();
		await workers(async (i) => (tokens[i] = await signIn(citizens[i], i)));
		run.signinSeconds = (performance.now() - t) / 1000;
		t = performance.now();
		await workers(async (i) => tokens[i] && (await book(citizens[i], i, tokens[i]!)));
		run.bookingSeconds = (performance.now() - t) / 1000;
		run.seconds = run.signinSeconds + run.bookingSeconds;
		run.ended = wall();
		return run;
	}
	run.started = wall();
	const t = performance.now();
	await workers((i) => one(citizens[i], i));
	run.seconds = (performance.now() - t) / 1000;
	run.ended = wall();
	return run;
}

/** `count` requests of `fn` with `concurrency` workers: rate of 2xx and latencies. */
export async function drive(count: number, concurrency: number, fn: (i: number) => Promise<number>) {
	const latencies: number[] = [];
	const statuses = new Map<number, number>();
	let ok = 0;
	let next = 0;
	const t = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			for (let i = next++; i < count; i = next++) {
				const s = performance.now();
				const status = await fn(i);
				latencies.push(performance.now() - s);
				statuses.set(status, (statuses.get(status) ?? 0) + 1);
				if (status >= 200 && status < 300) ok++;
			}
		})
	);
	const seconds = (performance.now() - t) / 1000;
	return { ok, seconds, perSecond: ok / seconds, latencies, statuses };
}
