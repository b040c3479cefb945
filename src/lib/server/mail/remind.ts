/**
 * R-C11: reminders N days before the visit (N = city_settings.reminder_days; 0 = none).
 *
 * One statement marks every reservation that is due (active, with an address, not reminded yet,
 * visit on or before today + N in Tokyo and still ahead) and writes its 'reservation.reminder'
 * outbox row. Run on two nodes at once, the second UPDATE waits on the first's row locks and then
 * re-checks `reminder_sent_at IS NULL`, so each booking gets one row, ever.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { tokyoDate } from '../../domain/schedule/time.ts';

export async function queueReminders(ctx: Pick<AppContext, 'db' | 'now'>): Promise<number> {
	const now = ctx.now();
	const rows = await ctx.db.sequelize.query<{ id: string }>(
		`WITH s AS (SELECT reminder_days FROM city_settings ORDER BY id LIMIT 1),
		 due AS (
		   UPDATE reservations r SET reminder_sent_at = :now
		     FROM s
		    WHERE r.status = 'active' AND r.email IS NOT NULL AND r.reminder_sent_at IS NULL
		      AND s.reminder_days > 0
		      AND r.date <= CAST(:today AS date) + s.reminder_days
		      AND r.starts_at > :now
		   RETURNING r.id)
		 INSERT INTO outbox (topic, payload, created_at, next_attempt_at)
		 SELECT 'reservation.reminder', jsonb_build_object('reservationId', id::text), CAST(:now AS timestamptz), CAST(:now AS timestamptz) FROM due
		 RETURNING id`,
		{ replacements: { now: now.toISOString(), today: tokyoDate(now) }, type: QueryTypes.SELECT }
	);
	return rows.length;
}
