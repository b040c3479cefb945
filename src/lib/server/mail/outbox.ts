/**
 * Delivery of the mail outbox (DESIGN "Mail"): rows are written in the transaction that causes
 * them; this sends them, on any number of nodes at once.
 *
 * Rows are taken under a lease, not inside an open transaction: one short statement claims a few
 * due rows (`FOR UPDATE SKIP LOCKED`) by moving their `next_attempt_at` to the end of the lease, and
 * commits. The claimed rows are then rendered and sent several at a time with no database
 * connection held, and each is marked published (or its failure counted) by one statement that
 * first checks the lease is still this deliverer's. While the lease runs no other deliverer takes
 * the row (two nodes never send the same row); a deliverer that dies mid-send leaves the row to be
 * taken again when its lease ends. (The first version held each row's transaction open while it
 * talked to SMTP: under a 9:00 storm that kept a pool connection of every node idle in a
 * transaction, sent one mail at a time, and left login-link mails queued behind thousands of
 * booking mails.)
 *
 * Login-link mails (`citizen.link`) are claimed first: a citizen is waiting for that one to sign in.
 *
 * A failure counts an attempt and sets the next try with exponential backoff; after the last
 * attempt the row is marked failed and shows on /staff/mail.
 *
 * The one gap no outbox can close: if the process dies after the SMTP server accepted the mail but
 * before the row is marked, the row is sent again when the lease ends. Delivery is therefore
 * at-least-once. The resent mail carries the same Message-ID (derived from the outbox id), so mail
 * systems that collapse duplicates by Message-ID show it once. The transport's timeouts bound how
 * long one send can take, well inside the lease.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { composeMail, type OutboxRow } from './compose.ts';
import { DELIVERED_TOPICS } from './topics.ts';
import { sendMail, type MailTransport } from './transport.ts';

/** Tries before a row is given up (shown to staff as failed): about 1 h 4 min from the first. */
export const MAX_ATTEMPTS = 8;

/** Wait before the next try after `attempts` failures: 30 s, 1 min, 2 min … at most 1 h. */
export function backoffMs(attempts: number): number {
	return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/** What is kept of an SMTP error: its code and text, with anything that looks like an address removed. */
export function scrubError(e: unknown): string {
	const err = e as { code?: unknown; responseCode?: unknown; message?: unknown };
	const parts = [typeof err?.code === 'string' ? err.code : null, typeof err?.responseCode === 'number' ? String(err.responseCode) : null];
	const message = String(err?.message ?? e)
		.replace(/<[^>]*>/g, '<…>')
		.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '…@…')
		.replace(/[\r\n]+/g, ' ');
	return [...parts.filter(Boolean), message].join(' ').slice(0, 500);
}

export interface DeliveryReport {
	sent: number;
	skipped: number;
	retried: number;
	failed: number;
}

type Outcome = keyof DeliveryReport | null;

/** How long a claimed row is this deliverer's: far beyond one send (transport.ts bounds it to ~40 s). */
export const LEASE_MS = 120_000;
/** Rows claimed at once, and sent at once (the transport keeps as many SMTP connections). */
const CLAIM = 8;
const IN_FLIGHT = 4;

interface Claimed extends OutboxRow {
	attempts: number;
	/** the lease: the row's next_attempt_at as this claim set it, compared when the row is marked */
	lease: string;
}

/** One statement, committed at once: up to `n` due rows, login links first, leased to this deliverer. */
async function claim(ctx: AppContext, n: number): Promise<Claimed[]> {
	const now = ctx.now();
	const lease = new Date(now.getTime() + LEASE_MS).toISOString();
	const rows = await ctx.db.sequelize.query<OutboxRow & { attempts: number; link: boolean }>(
		`UPDATE outbox o SET next_attempt_at = :lease
		   FROM (SELECT id FROM outbox
		          WHERE published_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now AND topic IN (:topics)
		          ORDER BY topic <> 'citizen.link', next_attempt_at, id
		          LIMIT :n
		          FOR UPDATE SKIP LOCKED) due
		  WHERE o.id = due.id
		  RETURNING o.id, o.topic, o.payload, o.attempts, o.topic = 'citizen.link' AS link`,
		{ replacements: { now: now.toISOString(), lease, n, topics: [...DELIVERED_TOPICS] }, type: QueryTypes.SELECT }
	);
	// RETURNING keeps no order: links first, then oldest first
	rows.sort((a, b) => Number(b.link) - Number(a.link) || Number(a.id) - Number(b.id));
	return rows.map(({ link: _link, ...r }) => ({ ...r, id: String(r.id), lease }));
}

/**
 * Sends every due mail row (up to `limit`), a few at a time. Returns what happened; never throws
 * for a bad row (that row's attempt is counted instead).
 */
export async function deliverDue(ctx: AppContext, transport: MailTransport, opts: { limit?: number } = {}): Promise<DeliveryReport> {
	const report: DeliveryReport = { sent: 0, skipped: 0, retried: 0, failed: 0 };
	const limit = opts.limit ?? 100;
	let handled = 0;
	while (handled < limit) {
		const rows = await claim(ctx, Math.min(CLAIM, limit - handled));
		if (rows.length === 0) break;
		handled += rows.length;
		let next = 0;
		await Promise.all(
			Array.from({ length: Math.min(IN_FLIGHT, rows.length) }, async () => {
				for (let i = next++; i < rows.length; i = next++) {
					const outcome = await deliverOne(ctx, transport, rows[i]);
					if (outcome) report[outcome]++;
				}
			})
		);
	}
	return report;
}

/** Renders and sends one claimed row, then marks it; null when its lease had already passed to another deliverer. */
async function deliverOne(ctx: AppContext, transport: MailTransport, row: Claimed): Promise<Outcome> {
	const q = ctx.db.sequelize;
	const id = row.id;
	const now = ctx.now();
	/** The row's final statement, only while the lease is still ours (SELECT: the row count comes back as rows). */
	const mark = async (sql: string, replacements: Record<string, unknown>) => {
		const rows = await q.query(`${sql} WHERE id = :id AND next_attempt_at = :lease AND published_at IS NULL AND failed_at IS NULL RETURNING id`, {
			replacements: { ...replacements, id, lease: row.lease },
			type: QueryTypes.SELECT
		});
		if (rows.length === 0) ctx.log.warn({ outboxId: id, topic: row.topic }, 'mail lease had ended before the row was marked');
		return rows.length > 0;
	};
	const done = async (outcome: 'sent' | 'skipped'): Promise<Outcome> =>
		(await mark(`UPDATE outbox SET published_at = :now, last_error = NULL`, { now: now.toISOString() })) ? outcome : null;
	const fail = async (error: string, permanent: boolean): Promise<Outcome> => {
		const attempts = row.attempts + 1;
		const last = permanent || attempts >= MAX_ATTEMPTS;
		const marked = await mark(`UPDATE outbox SET attempts = :attempts, last_error = :error, next_attempt_at = :next, failed_at = :failed`, {
			attempts,
			error,
			next: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
			failed: last ? now.toISOString() : null
		});
		ctx.log.warn({ outboxId: id, topic: row.topic, attempts, failed: last, error }, 'mail not sent');
		return marked ? (last ? 'failed' : 'retried') : null;
	};

	let composed;
	try {
		composed = await composeMail(ctx, { id, topic: row.topic, payload: row.payload ?? {} });
	} catch (e) {
		return fail(`render: ${scrubError(e)}`, false);
	}
	if (composed.kind === 'skip') {
		ctx.log.info({ outboxId: id, topic: row.topic, reason: composed.reason }, 'mail not needed');
		return done('skipped');
	}
	if (composed.kind === 'invalid') return fail(composed.reason, true);
	try {
		await sendMail(transport, composed.message);
	} catch (e) {
		return fail(scrubError(e), false);
	}
	ctx.log.info({ outboxId: id, topic: row.topic }, 'mail sent');
	return done('sent');
}
