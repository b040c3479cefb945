/**
 * Staff resend of the booking mail (clerk and above): one 'reservation.resend' outbox row and
 * its audit row in one transaction, then a kick so the mail goes within seconds.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit.ts';

export async function resendReservationMail(
	ctx: AppContext,
	principal: Principal | null,
	input: { reservationId: string; ip?: string | null }
): Promise<{ outboxId: string; status: 'queued' }> {
	const p = requireRole(principal, 'clerk');
	const outboxId = await ctx.db.sequelize.transaction(async (t) => {
		const [r] = await ctx.db.sequelize.query<{ id: string; status: string; has_email: boolean }>(
			`SELECT id, status, email IS NOT NULL AS has_email FROM reservations WHERE id = :id FOR UPDATE`,
			{ replacements: { id: input.reservationId }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!r) throw new AppError('not_found', '指定された予約が見つかりません。');
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
