/**
 * The mail queue as staff see it (/staff/mail): mails waiting or retrying, and mails given up
 * after the last attempt. Addresses are masked; clerks and above read, supervisors and above may
 * send a failed mail again (audited).
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { servedFilter } from '../auth/scope.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { maskEmail } from '../../domain/mail-format.ts';
import { MAIL_TOPICS } from './topics.ts';

export interface QueuedMail {
	id: string;
	topic: string;
	bookingNumber: string | null;
	to: string;
	attempts: number;
	lastError: string | null;
	createdAt: string;
	nextAttemptAt: string;
	failedAt: string | null;
}

export interface MailQueue {
	pending: QueuedMail[];
	failed: QueuedMail[];
	sentLastDay: number;
}

/**
 * R-S01: a clerk serving only some locations sees the mails of bookings at those locations (and no
 * sign-in link mails, which belong to no location); supervisors and admins see every mail.
 */
export async function mailQueue(ctx: AppContext, principal: Principal | null, opts: { limit?: number } = {}): Promise<MailQueue> {
	const served = servedFilter(requireRole(principal, 'clerk'));
	const scope = served ? 'AND r.location_id IN (:served)' : '';
	const limit = Math.min(Math.max(opts.limit ?? 200, 1), 1000);
	const rows = await ctx.db.sequelize.query<{
		id: string;
		topic: string;
		booking_number: string | null;
		email: string | null;
		attempts: number;
		last_error: string | null;
		created_at: Date;
		next_attempt_at: Date;
		failed_at: Date | null;
	}>(
		`(SELECT o.id, o.topic, r.booking_number, COALESCE(r.email, k.email) AS email, o.attempts, o.last_error, o.created_at, o.next_attempt_at, o.failed_at
		    FROM outbox o
		    LEFT JOIN reservations r ON o.payload->>'reservationId' IS NOT NULL AND r.id = CASE WHEN o.payload->>'reservationId' ~ '^[0-9]{1,18}$' THEN (o.payload->>'reservationId')::bigint END
		    LEFT JOIN citizen_links k ON o.payload->>'linkId' IS NOT NULL AND k.id::text = o.payload->>'linkId'
		   WHERE o.published_at IS NULL AND o.failed_at IS NULL AND o.topic IN (:topics) ${scope}
		   ORDER BY o.next_attempt_at, o.id LIMIT :limit)
		 UNION ALL
		 (SELECT o.id, o.topic, r.booking_number, COALESCE(r.email, k.email), o.attempts, o.last_error, o.created_at, o.next_attempt_at, o.failed_at
		    FROM outbox o
		    LEFT JOIN reservations r ON o.payload->>'reservationId' IS NOT NULL AND r.id = CASE WHEN o.payload->>'reservationId' ~ '^[0-9]{1,18}$' THEN (o.payload->>'reservationId')::bigint END
		    LEFT JOIN citizen_links k ON o.payload->>'linkId' IS NOT NULL AND k.id::text = o.payload->>'linkId'
		   WHERE o.published_at IS NULL AND o.failed_at IS NOT NULL AND o.topic IN (:topics) ${scope}
		   ORDER BY o.failed_at DESC, o.id DESC LIMIT :limit)`,
		{ replacements: { topics: [...MAIL_TOPICS], limit, served }, type: QueryTypes.SELECT }
	);
	const [{ n }] = await ctx.db.sequelize.query<{ n: number }>(
		`SELECT count(*)::int AS n FROM outbox WHERE published_at > :since AND topic IN (:topics)`,
		{ replacements: { since: new Date(ctx.now().getTime() - 86_400_000).toISOString(), topics: [...MAIL_TOPICS] }, type: QueryTypes.SELECT }
	);
	const view = (r: (typeof rows)[number]): QueuedMail => ({
		id: String(r.id),
		topic: r.topic,
		bookingNumber: r.booking_number,
		to: maskEmail(r.email),
		attempts: r.attempts,
		lastError: r.last_error,
		createdAt: new Date(r.created_at).toISOString(),
		nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
		failedAt: r.failed_at ? new Date(r.failed_at).toISOString() : null
	});
	return { pending: rows.filter((r) => !r.failed_at).map(view), failed: rows.filter((r) => r.failed_at).map(view), sentLastDay: n };
}

/** Supervisor+: a failed mail goes back into the queue with its attempts reset. */
export async function retryFailedMail(ctx: AppContext, principal: Principal | null, input: { outboxId: string; ip?: string | null }): Promise<void> {
	const p = requireRole(principal, 'supervisor');
	if (!/^\d{1,18}$/.test(input.outboxId)) throw new AppError('bad_request', 'メールの指定が正しくありません。');
	await ctx.db.sequelize.transaction(async (t) => {
		const [row] = await ctx.db.sequelize.query<{ id: string; topic: string }>(
			`UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = :now
			  WHERE id = :id AND failed_at IS NOT NULL AND published_at IS NULL RETURNING id, topic`,
			{ replacements: { id: input.outboxId, now: ctx.now().toISOString() }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!row) throw new AppError('conflict', 'このメールは再送の対象ではありません（送信済み、または送信待ちです）。');
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'mail.retried', targetType: 'outbox', targetId: row.id, detail: { topic: row.topic }, ip: input.ip }, t);
	});
	ctx.kickOutbox();
}
