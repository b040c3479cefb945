import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireReservationServed, requireSlotServed } from '../auth/scope.ts';
import { audit } from '../audit/write.ts';
import { hasRole } from '../../domain/roles.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import { inTransaction } from '../tx.ts';
import { adjust, datesOf, lockSlots, runFrom, take } from './slot-rows.ts';
import { assertBookable, choosePurpose } from './rules.ts';
import { releaseExpiredWithin } from './hold-release.ts';
import { lockActiveReservation } from './reservation-lock.ts';
import { outbox, type Actor } from './write.ts';
import type { Transaction } from 'sequelize';

/** Whether the first slot of the booking has begun (a visit under way or past is not moved by a citizen). */
async function startedAlready(ctx: AppContext, t: Transaction, slotIds: readonly string[], now: Date): Promise<boolean> {
	const [row] = await ctx.db.sequelize.query<{ s: Date }>(`SELECT min(starts_at) AS s FROM slots WHERE id = ANY (ARRAY[:ids]::bigint[])`, {
		replacements: { ids: slotIds },
		type: QueryTypes.SELECT,
		transaction: t
	});
	return !!row?.s && new Date(row.s).getTime() <= now.getTime();
}
import { fullError, OVERRIDE_FORBIDDEN } from './staff-book.ts';
import { reservationView, type ReservationView } from './view.ts';

export interface MoveInput {
	reservationId: string;
	slotId: string;
	override?: { reason: string };
	ip?: string | null;
}

/**
 * Moves a reservation to another slot (possibly another location) in one transaction, with the
 * same guarantees as a new booking: old and new slot rows locked together in id order, the
 * places given back and taken with the conditional UPDATE, or beyond capacity only as a
 * supervisor's logged override.
 */
export async function moveStaffReservation(ctx: AppContext, principal: Principal | null, input: MoveInput): Promise<ReservationView> {
	const p = requireRole(principal, 'clerk');
	const canOverride = hasRole(p.role, 'supervisor');
	if (input.override && !canOverride) throw new AppError('forbidden', OVERRIDE_FORBIDDEN);
	// R-S01: both where the booking is and where it goes must be served
	await requireReservationServed(ctx, p, input.reservationId);
	await requireSlotServed(ctx, p, input.slotId);
	return moveReservationAs(ctx, { type: 'staff', id: p.login, ip: input.ip }, input, { window: 'staff', canOverride });
}

/**
 * The move itself, for staff and for citizens through their manage link (R-C10). A citizen
 * moves within the citizens' window, to citizen-bookable locations, never beyond capacity.
 */
export async function moveReservationAs(
	ctx: AppContext,
	actor: Actor,
	input: MoveInput,
	opts: { window: 'staff' | 'citizen'; canOverride: boolean }
): Promise<ReservationView> {
	const { canOverride } = opts;
	const now = ctx.now();

	const done = await inTransaction(ctx, async (t) => {
		const r = await lockActiveReservation(ctx.db, t, input.reservationId);
		const probe = await runFrom(ctx.db, t, input.slotId, 1);
		if (opts.window === 'citizen') {
			const location = await ctx.db.models.Location.findByPk(probe.locationId, { transaction: t });
			if (!location?.citizenBookable) {
				throw new AppError('not_found', '指定された枠が見つかりません。', { en: 'That time was not found.', errors: [{ field: 'slotId', message: '見つかりません。' }] });
			}
			if (await startedAlready(ctx, t, r.slotIds, now)) {
				throw new AppError('conflict', '予約の時間を過ぎているため変更できません。', { en: 'The time of this booking has passed; it can no longer be changed.' });
			}
		}
		const { settings, purposes } = await loadBookingSettings(ctx.db, probe.locationId, t);
		const purpose = choosePurpose(purposes, r.purposeId);
		const { ids } = await runFrom(ctx.db, t, input.slotId, purpose.durationSlots);
		if (ids.length === r.slotIds.length && ids.every((id) => r.slotIds.includes(id))) {
			throw new AppError('unprocessable', '現在と同じ枠です。別の枠を選んでください。', {
				en: 'That is the time you already have. Please choose another.',
				errors: [{ field: 'slotId', message: '現在と同じ枠です。' }]
			});
		}
		const all = await lockSlots(ctx.db, t, [...r.slotIds, ...ids]);
		const oldSlots = all.filter((s) => r.slotIds.includes(s.id));
		const newSlots = all.filter((s) => ids.includes(s.id));
		assertBookable(settings, opts.window, now, newSlots[0]);
		await releaseExpiredWithin(ctx.db, t, ids, now);

		await adjust(ctx.db, t, r.slotIds, { booked: -r.partySize });
		const short = await take(ctx.db, t, ids, r.partySize, 'booked');
		let overrideReason: string | null = null;
		if (short.length > 0) {
			if (!input.override || !canOverride) {
				if (opts.window === 'citizen') throw new AppError('conflict', 'この時間は満員です。別の時間を選んでください。', { en: 'This time is full. Please choose another time.', extra: { reason: 'full' } });
				throw fullError(await lockSlots(ctx.db, t, short), canOverride);
			}
			await adjust(ctx.db, t, short, { booked: r.partySize });
			overrideReason = input.override.reason;
		}
		const first = newSlots[0];
		const last = newSlots[newSlots.length - 1];
		await ctx.db.sequelize.query(
			`UPDATE reservations SET location_id = :loc, date = :date, starts_at = :startsAt, ends_at = :endsAt,
			        override_reason = COALESCE(:overrideReason, override_reason), reminder_sent_at = NULL, updated_at = now() WHERE id = :id`,
			{
				replacements: {
					id: r.id,
					loc: first.locationId,
					date: first.date,
					startsAt: first.startsAt.toISOString(),
					endsAt: last.endsAt.toISOString(),
					overrideReason
				},
				type: QueryTypes.UPDATE,
				transaction: t
			}
		);
		await ctx.db.sequelize.query(`DELETE FROM reservation_slots WHERE reservation_id = :id`, { replacements: { id: r.id }, transaction: t });
		await ctx.db.sequelize.query(`INSERT INTO reservation_slots (reservation_id, slot_id) SELECT :id, unnest(ARRAY[:ids]::bigint[])`, {
			replacements: { id: r.id, ids },
			transaction: t
		});
		await audit(
			ctx,
			{
				actorType: actor.type,
				actorId: actor.id,
				action: 'reservation.moved',
				targetType: 'reservation',
				targetId: r.id,
				detail: {
					fromSlotIds: r.slotIds,
					toSlotIds: ids,
					partySize: r.partySize,
					...(overrideReason ? { override: true, reason: overrideReason, overbookedSlotIds: short } : {})
				},
				ip: actor.ip
			},
			t
		);
		await outbox(ctx.db, t, 'reservation.moved', { reservationId: r.id });
		return {
			id: r.id,
			from: { locationId: r.locationId, dates: datesOf(oldSlots) },
			to: { locationId: first.locationId, dates: datesOf(newSlots) }
		};
	});
	ctx.events.slotsChanged(done.from.locationId, done.from.dates);
	ctx.events.slotsChanged(done.to.locationId, done.to.dates);
	ctx.kickOutbox();
	return (await reservationView(ctx.db, done.id))!;
}
