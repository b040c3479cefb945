import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext, CardStatusChange } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireSlotServed } from '../auth/scope.ts';
import { hasRole } from '../../domain/roles.ts';
import { isDeliverableAddress } from '../../domain/mail-format.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { inTransaction } from '../tx.ts';
import { adjust, datesOf, lockSlots, runFrom, take, type SlotRow } from './slot-rows.ts';
import { assertBookable, assertPartySize, choosePurpose } from './rules.ts';
import { releaseExpiredWithin } from './hold-release.ts';
import { lockPersonCards, type PersonInput } from './persons.ts';
import { insertReservation, recordCreated } from './write.ts';
import type { ReservationView } from './view.ts';

export interface StaffBookingInput {
	slotId: string;
	purposeId?: number;
	persons: PersonInput[];
	email?: string | null;
	/** R-S04: the caller's phone number (normalised, lib/domain/phone.ts); staff-only, never logged or audited */
	phone?: string | null;
	/** R-S05: a supervisor or admin may book beyond capacity, with a reason */
	override?: { reason: string };
	ip?: string | null;
}

export const OVERRIDE_FORBIDDEN = '定員を超える予約は監督者または管理者のみ行えます。';

/** What a full slot looks like to staff: they see counts (R-S04), citizens never do. */
export function fullError(slots: readonly SlotRow[], canOverride: boolean): AppError {
	const s = slots[0];
	return new AppError(
		'conflict',
		`この枠は満員です（定員${s.capacity}人・予約${s.booked}人・保留${s.held}人）。${canOverride ? '定員を超えて予約する場合は、理由を入力して「定員超過で予約」を選んでください。' : '別の枠を選んでください。'}`,
		{
			errors: [{ field: 'slotId', message: '満員です。' }],
			extra: { reason: 'full', slots: slots.map((x) => ({ id: x.id, capacity: x.capacity, booked: x.booked, held: x.held })) }
		}
	);
}

/**
 * R-S04 staff booking, R-S05 override. One transaction, in this order:
 *  1. read the slots (times never change) and check window, open day and purpose;
 *  2. lock the persons' cards in id order and check them (R-C03, R-C12);
 *  3. write the reservation, persons and card history;
 *  4. lock the slot rows in id order, release expired holds in them, and take the places with the
 *     conditional UPDATE that re-checks capacity (or, for a supervisor with a reason, beyond it);
 *  5. audit and outbox rows; commit; publish.
 * The hot slot rows are locked last so they are held only for the final statements: bookings of
 * one slot queue for a few milliseconds, not for the whole transaction. Any refusal rolls all back.
 */
export async function createStaffReservation(ctx: AppContext, principal: Principal | null, input: StaffBookingInput): Promise<ReservationView> {
	const actor = requireRole(principal, 'clerk');
	const canOverride = hasRole(actor.role, 'supervisor');
	if (input.override && !canOverride) throw new AppError('forbidden', OVERRIDE_FORBIDDEN);
	// R-O04: whatever the caller (form, API, import), an address the mailer would refuse is never stored.
	if (input.email != null && !isDeliverableAddress(input.email)) {
		throw new AppError('bad_request', 'メールアドレスの形式が正しくありません。', { errors: [{ field: 'email', message: 'メールアドレスの形式が正しくありません。' }] });
	}
	await requireSlotServed(ctx, actor, input.slotId);
	const now = ctx.now();

	const done = await inTransaction(ctx, async (t) => {
		const probe = await runFrom(ctx.db, t, input.slotId, 1);
		const { settings, purposes, city } = await loadBookingSettings(ctx.db, probe.locationId, t);
		assertPartySize(city.maxPersonsPerBooking, input.persons.length);
		const purpose = choosePurpose(purposes, input.purposeId);
		const { ids, rows: seen } = purpose.durationSlots > 1 ? await runFrom(ctx.db, t, input.slotId, purpose.durationSlots) : probe;
		assertBookable(settings, 'staff', now, seen[0]);

		const cards = await lockPersonCards(ctx.db, t, input.persons, 'staff');
		const base = { locationId: probe.locationId, purposeId: purpose.id, slots: seen, cards, source: 'staff' as const, actor: { type: 'staff' as const, id: actor.login, ip: input.ip } };
		const written = await insertReservation(ctx.db, t, { ...base, email: input.email ?? null, audience: 'staff' });

		if (input.phone) {
			await ctx.db.sequelize.query(`UPDATE reservations SET phone = :phone WHERE id = :id`, {
				replacements: { id: written.id, phone: input.phone },
				type: QueryTypes.UPDATE,
				transaction: t
			});
		}
		const short = await takePlaces(ctx, t, ids, cards.length, now);
		let overrideReason: string | null = null;
		if (short.length > 0) {
			if (!input.override) throw fullError(await lockSlots(ctx.db, t, short), canOverride);
			await adjust(ctx.db, t, short, { booked: cards.length });
			overrideReason = input.override.reason;
			await ctx.db.sequelize.query(`UPDATE reservations SET override_reason = :reason WHERE id = :id`, {
				replacements: { id: written.id, reason: overrideReason },
				type: QueryTypes.UPDATE,
				transaction: t
			});
		}
		await recordCreated(ctx.db, t, base, written.id, overrideReason ? { override: true, reason: overrideReason, overbookedSlotIds: short } : {});
		return { written, cards, slots: seen, purposeId: purpose.id, overrideReason };
	});

	publish(ctx, done.slots[0].locationId, datesOf(done.slots), done.written.cardChanges);
	const first = done.slots[0];
	return {
		id: done.written.id,
		bookingNumber: done.written.bookingNumber,
		status: 'active',
		locationId: first.locationId,
		purposeId: done.purposeId,
		partySize: done.cards.length,
		date: first.date,
		startsAt: tokyoIso(first.startsAt),
		endsAt: tokyoIso(done.slots[done.slots.length - 1].endsAt),
		slotIds: done.slots.map((s) => s.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
		source: 'staff',
		overrideReason: done.overrideReason,
		email: input.email ?? null,
		persons: done.cards.map((c) => ({ cardId: c.cardId, noticeId: c.noticeId, position: c.index + 1, active: true }))
	};
}

/**
 * Takes `n` booked places in each slot, locking the hot rows as late and as briefly as possible.
 * One slot: the conditional UPDATE is the lock and the capacity check in one statement; only
 * when it does not fit are expired holds released (R-C15) and the UPDATE tried again. Several
 * slots: locked first in id order (so two runs cannot deadlock), then the same.
 * Returns the ids that did not fit.
 */
export async function takePlaces(ctx: AppContext, t: Transaction, ids: readonly string[], n: number, now: Date): Promise<string[]> {
	if (ids.length > 1) await lockSlots(ctx.db, t, ids);
	const short = await take(ctx.db, t, ids, n, 'booked');
	if (short.length === 0) return short;
	if ((await releaseExpiredWithin(ctx.db, t, ids, now)) === 0) return short;
	return take(ctx.db, t, short, n, 'booked');
}

/** After commit only: screens follow the new counts and card statuses; the mail the commit queued goes now. */
export function publish(ctx: AppContext, locationId: number, dates: readonly string[], cardChanges: readonly CardStatusChange[]): void {
	ctx.events.slotsChanged(locationId, dates);
	if (cardChanges.length) ctx.events.cardStatusChanged(cardChanges);
	ctx.kickOutbox();
}
