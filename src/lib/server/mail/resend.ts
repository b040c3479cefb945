/**
 * Staff resend of the booking mail (clerk and above): one 'reservation.resend' outbox row and
 * its audit row in one transaction, then a kick so the mail goes within seconds. Limited per
 * booking and per staff user (R-O04: it was unlimited, a way to flood a citizen's mailbox from
 * our domain): over either limit, 429 with Retry-After and nothing queued.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { consume, limitKey, tooMany } from '../security/limits.ts';

const RESEND_LIMIT_MESSAGE = { ja: '予約内容のメールの再送が続いたため、しばらく再送できません。', en: 'Too many resends of booking mails.' };

/** Counts one resend for the booking and for the staff user; the 429 to answer when over either. */
async function resendLimit(ctx: AppContext, p: Principal, reservationId: string): Promise<AppError | null> {
	const perBooking = await consume(ctx, 'resend-reservation', { points: ctx.config.RESEND_PER_RESERVATION_PER_HOUR, seconds: 3600 }, limitKey('reservation', reservationId));
	const perStaff = perBooking ?? (await consume(ctx, 'resend-staff', { points: ctx.config.RESEND_PER_STAFF_PER_HOUR, seconds: 3600 }, limitKey('staff', p.userId)));
	return perStaff === null ? null : tooMany(perStaff, RESEND_LIMIT_MESSAGE, ctx.now());
}

export async function resendReservationMail(
	ctx: AppContext,
	principal: Principal | null,
	input: { reservationId: string; ip?: string | null }
): Promise<{ outboxId: string; status: 'queued' }> {
	const p = requireRole(principal, 'clerk');
	const limited = await resendLimit(ctx, p, input.reservationId);
	if (limited) throw limited;
	const outboxId = await ctx.db.sequelize.transaction(async (t) => {
		const [r] = await ctx.db.sequelize.query<{ id: string; location_id: number; status: string; has_email: boolean }>(
			`SELECT id, location_id, status, email IS NOT NULL AS has_email FROM reservations WHERE id = :id FOR UPDATE`,
			{ replacements: { id: input.reservationId }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
		await requireLocation(ctx, p, r.location_id, t);
		if (r.status !== 'active') throw new AppError('conflict', '有効な予約ではないため、予約内容のメールは再送できません。', { extra: { reason: 'not_active' } });
		if (!r.has_email) throw new AppError('conflict', 'この予約にはメールアドレスが登録されていません。', { extra: { reason: 'no_email' } });
		const [row] = await ctx.db.sequelize.query<{ id: string }>(
			`INSERT INTO outbox (topic, payload, created_at, next_attempt_at) VALUES ('reservation.resend', CAST(:payload AS jsonb), :now, :now) RETURNING id`,
			{ replacements: { payload: JSON.stringify({ reservationId: String(r.id) }), now: ctx.now().toISOString() }, type: QueryTypes.SELECT, transaction: t }
		);
		await audit(
			ctx,
			{ actorType: 'staff', actorId: p.login, action: 'reservation.mail_resent', targetType: 'reservation', targetId: r.id, detail: { outboxId: String(row.id) }, ip: input.ip },
			t
		);
		return String(row.id);
	});
	ctx.kickOutbox();
	return { outboxId, status: 'queued' };
}

/** The same, from the staff mail page, by the booking number a citizen reads out on the phone. */
export async function resendByBookingNumber(
	ctx: AppContext,
	principal: Principal | null,
	input: { bookingNumber: string; ip?: string | null }
): Promise<{ outboxId: string; status: 'queued'; bookingNumber: string }> {
	requireRole(principal, 'clerk');
	const number = String(input.bookingNumber ?? '')
		.normalize('NFKC')
		.replace(/\s+/g, '')
		.replace(/[‐－―ー−]/g, '-');
	if (!/^[\w-]{1,16}$/.test(number)) throw new AppError('bad_request', '予約番号を確認してください（例：1234-5678）。');
	const [r] = await ctx.db.sequelize.query<{ id: string; booking_number: string }>(
		`SELECT id, booking_number FROM reservations WHERE booking_number = :n OR replace(booking_number, '-', '') = :n ORDER BY id DESC LIMIT 1`,
		{ replacements: { n: number }, type: QueryTypes.SELECT }
	);
	if (!r) throw new AppError('not_found', 'この予約番号の予約は見つかりません。');
	return { ...(await resendReservationMail(ctx, principal, { reservationId: String(r.id), ip: input.ip })), bookingNumber: r.booking_number };
}
