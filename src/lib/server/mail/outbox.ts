/**
 * Delivery of the mail outbox (DESIGN "Mail"): rows are written in the transaction that causes
 * them; this sends them, one row per short transaction, on any number of nodes at once.
 *
 * Each due row is claimed with `FOR UPDATE SKIP LOCKED`, rendered, sent, and marked published
 * in the same transaction, so while one deliverer talks to the SMTP server no other can take the
 * row (two nodes never send the same row). A failure counts an attempt and sets the next try with
 * exponential backoff; after the last attempt the row is marked failed and shows on /staff/mail.
 *
 * The one gap no outbox can close: if the process dies after the SMTP server accepted the mail
 * but before the commit, the transaction rolls back and the row is sent again on a later run.
 * Delivery is therefore at-least-once, with that window as small as one UPDATE. The resent mail
 * carries the same Message-ID (derived from the outbox id), so mail systems that collapse
 * duplicates by Message-ID show it once. The transport's timeouts bound how long a row is held.
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

/**
 * Sends every due mail row (up to `limit`), one at a time. Returns what happened; never throws
 * for a bad row (that row's attempt is counted instead).
 */
export async function deliverDue(ctx: AppContext, transport: MailTransport, opts: { limit?: number } = {}): Promise<DeliveryReport> {
	const report: DeliveryReport = { sent: 0, skipped: 0, retried: 0, failed: 0 };
	const limit = opts.limit ?? 100;
	for (let i = 0; i < limit; i++) {
		const outcome = await deliverOne(ctx, transport);
		if (!outcome) break;
		report[outcome]++;
	}
	return report;
}

async function deliverOne(ctx: AppContext, transport: MailTransport): Promise<Outcome> {
	const q = ctx.db.sequelize;
	return q.transaction(async (t) => {
		// A node that hangs mid-send must not hold the row for ever.
		await q.query(`SET LOCAL idle_in_transaction_session_timeout = '120s'`, { transaction: t });
		const [row] = await q.query<OutboxRow & { attempts: number }>(
			`SELECT id, topic, payload, attempts FROM outbox
			  WHERE published_at IS NULL AND failed_at IS NULL AND next_attempt_at <= :now AND topic IN (:topics)
			  ORDER BY next_attempt_at, id
			  LIMIT 1
			  FOR UPDATE SKIP LOCKED`,
			{ replacements: { now: ctx.now().toISOString(), topics: [...DELIVERED_TOPICS] }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!row) return null;
		const id = String(row.id);
		const now = ctx.now();
		const done = async (outcome: 'sent' | 'skipped') => {
			await q.query(`UPDATE outbox SET published_at = :now, last_error = NULL WHERE id = :id`, { replacements: { id, now: now.toISOString() }, transaction: t });
			return outcome;
		};
		const fail = async (error: string, permanent: boolean): Promise<Outcome> => {
			const attempts = row.attempts + 1;
			const last = permanent || attempts >= MAX_ATTEMPTS;
			await q.query(
				`UPDATE outbox SET attempts = :attempts, last_error = :error, next_attempt_at = :next, failed_at = :failed WHERE id = :id`,
				{
					replacements: {
						id,
						attempts,
						error,
						next: new Date(now.getTime() + backoffMs(attempts)).toISOString(),
						failed: last ? now.toISOString() : null
					},
					transaction: t
				}
			);
			ctx.log.warn({ outboxId: id, topic: row.topic, attempts, failed: last, error }, 'mail not sent');
			return last ? 'failed' : 'retried';
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
	});
}
