import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireReservationServed } from '../auth/scope.ts';
import { audit } from '../audit/write.ts';
import { inTransaction } from '../tx.ts';
import { adjust, datesOf, lockSlots } from './slot-rows.ts';
import { lockActiveReservation } from './reservation-lock.ts';
import { outbox, setCardStatus, type Actor } from './write.ts';
import { publish } from './staff-book.ts';
import { reservationView, type ReservationView } from './view.ts';

/**
 * Cancels an active reservation in one transaction: places go back to the slots, persons stop
 * counting for R-C12, cards go from 予約済 back to 通知書発送済 with history (R-S08).
 */
export async function cancelReservationAs(ctx: AppContext, actor: Actor, reservationId: string, reason: string | null = null): Promise<ReservationView> {
	const done = await inTransaction(ctx, async (t) => {
		const r = await lockActiveReservation(ctx.db, t, reservationId);
		const slots = await lockSlots(ctx.db, t, r.slotIds);
		await adjust(ctx.db, t, r.slotIds, { booked: -r.partySize });
		await ctx.db.sequelize.query(
			`UPDATE reservations SET status = 'cancelled', cancelled_at = :now, updated_at = now() WHERE id = :id`,
			{ replacements: { id: r.id, now: ctx.now().toISOString() }, type: QueryTypes.UPDATE, transaction: t }
		);
		await ctx.db.sequelize.query(`UPDATE reservation_persons SET active = false, updated_at = now() WHERE reservation_id = :id`, {
			replacements: { id: r.id },
			transaction: t
		});
		// Only cards still 予約済 go back; one checked in or issued meanwhile keeps its status.
		const reserved = r.cards.filter((c) => c.status === 'reserved');
		const cardChanges = await setCardStatus(ctx.db, t, reserved, 'notice_sent', actor, r.id, { locationId: r.locationId, date: r.date }, '予約取消');
		await audit(
			ctx,
			{
				actorType: actor.type,
				actorId: actor.id,
				action: 'reservation.cancelled',
				targetType: 'reservation',
				targetId: r.id,
				detail: { slotIds: r.slotIds, partySize: r.partySize, ...(reason ? { reason } : {}) },
				ip: actor.ip
			},
			t
		);
		await outbox(ctx.db, t, 'reservation.cancelled', { reservationId: r.id });
		return { locationId: r.locationId, dates: datesOf(slots), cardChanges, id: r.id };
	});
	publish(ctx, done.locationId, done.dates, done.cardChanges);
	return (await reservationView(ctx.db, done.id))!;
}

/** Staff cancel (clerk and above). */
export async function cancelStaffReservation(
	ctx: AppContext,
	principal: Principal | null,
	input: { reservationId: string; reason?: string | null; ip?: string | null }
): Promise<ReservationView> {
	const p = requireRole(principal, 'clerk');
	await requireReservationServed(ctx, p, input.reservationId);
	return cancelReservationAs(ctx, { type: 'staff', id: p.login, ip: input.ip }, input.reservationId, input.reason ?? null);
}
