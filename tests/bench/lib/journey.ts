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
	o: { urls: string[]; db: pg.Pool; jwtSecret: string; net: number; onCommit?: (c: Commit) => void }
): Promise<JourneyRun> {
	const run = newRun();
	const time = async <T>(step: Step, fn: () => Promise<{ status: number; value?: T }>, ok: number) => {
		const t = performance.now();
		const r = await fn();
		run.latencies[step].push(performance.now() - t);
		run.statuses[step].set(r.status, (run.statuses[step].get(r.status) ?? 0) + 1);
		return r.status === ok ? (r.value ?? (true as T)) : null;
	};
	const one = async (c: Citizen, i: number) => {
		const from = sourceAddress(o.net, i);
		const url = (k: number) => o.urls[(c.node + k) % o.urls.length];
		const t0 = performance.now();
		const linked = await time('link', async () => send(`${url(0)}/api/v1/citizen/links`, { method: 'POST', body: { email: c.email }, from }), 202);
		if (!linked) return;
		const link = await time<string>(
			'token',
			async () => {
				const { rows } = await o.db.query<{ id: string }>(`SELECT id FROM citizen_links WHERE email = $1 ORDER BY created_at DESC LIMIT 1`, [c.email]);
				return rows[0] ? { status: 200, value: linkToken(o.jwtSecret, rows[0].id) } : { status: 404 };
			},
			200
		);
		if (!link) return;
		const token = await time<string>(
			'session',
			async () => {
				const r = await send(`${url(1)}/api/v1/citizen/session`, { method: 'POST', body: { token: link }, from });
				return { status: r.status, value: (r.body as { token?: string })?.token };
			},
			201
		);
		if (!token) return;
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
		if (!holdId) return;
		const number = await time<string>(
			'confirm',
			async () => {
				const r = await send(`${url(1)}/api/v1/holds/${holdId}/confirm`, { method: 'POST', token, from, body: { acknowledgedPrecautions: true } });
				return { status: r.status, value: (r.body as { reservationNumber?: string })?.reservationNumber };
			},
			201
		);
		if (!number) return;
		const commit = { slotId: c.slotId, at: wall(), reservationNumber: number };
		run.confirmed.push(commit);
		o.onCommit?.(commit);
		run.latencies.journey.push(performance.now() - t0);
		run.statuses.journey.set(201, (run.statuses.journey.get(201) ?? 0) + 1);
	};
	let next = 0;
	run.started = wall();
	const t = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			for (let i = next++; i < citizens.length; i = next++) await one(citizens[i], i);
		})
	);
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
