import type { AppContext, CardStatusChange } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { hasRole } from '../../domain/roles.ts';
import { loadLocationSettings } from '../scheduling/settings-read.ts';
import { inTransaction } from './tx.ts';
import { adjust, datesOf, lockSlots, runFrom, take, type SlotRow } from './slot-rows.ts';
import { assertBookable, assertPartySize, choosePurpose } from './rules.ts';
import { releaseExpiredWithin } from './hold-release.ts';
import { lockPersonCards, type PersonInput } from './persons.ts';
import { writeReservation } from './write.ts';
import { reservationView, type ReservationView } from './view.ts';

export interface StaffBookingInput {
	slotId: string;
	purposeId?: number;
	persons: PersonInput[];
	email?: string | null;
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
 * R-S04 staff booking, R-S05 override. One transaction: lock the slot rows in id order, check
 * the window and the cards, take the places with the conditional UPDATE (or, for a supervisor
 * with a reason, beyond capacity, logged), write everything; publish only after commit.
 */
export async function createStaffReservation(ctx: AppContext, principal: Principal | null, input: StaffBookingInput): Promise<ReservationView> {
	const actor = requireRole(principal, 'clerk');
	const canOverride = hasRole(actor.role, 'supervisor');
	if (input.override && !canOverride) throw new AppError('forbidden', OVERRIDE_FORBIDDEN);
	await assertPartySize(ctx.db, input.persons.length);
	const now = ctx.now();

	const done = await inTransaction(ctx, async (t) => {
		// The location comes from the slot; its settings decide purpose, window and open days.
		const probe = await runFrom(ctx.db, t, input.slotId, 1);
		const settings = await loadLocationSettings(ctx.db, probe.locationId, t);
		const purpose = await choosePurpose(ctx.db, t, settings, input.purposeId);
		const { ids } = purpose.durationSlots > 1 ? await runFrom(ctx.db, t, input.slotId, purpose.durationSlots) : probe;
		const slots = await lockSlots(ctx.db, t, ids);
		const head = slots[0];
		assertBookable(settings, 'staff', now, slots[0]);
		await releaseExpiredWithin(ctx.db, t, ids, now);
		const cards = await lockPersonCards(ctx.db, t, input.persons, 'staff');

		const n = cards.length;
		const short = await take(ctx.db, t, ids, n, 'booked');
		let overrideReason: string | null = null;
		if (short.length > 0) {
			if (!input.override) throw fullError(await lockSlots(ctx.db, t, short), canOverride);
			await adjust(ctx.db, t, short, { booked: n });
			overrideReason = input.override.reason;
		}
		const written = await writeReservation(ctx.db, t, {
			locationId: head.locationId,
			purposeId: purpose.id,
			slots,
			cards,
			email: input.email ?? null,
			source: 'staff',
			actor: { type: 'staff', id: actor.login, ip: input.ip },
			audience: 'staff',
			overrideReason,
			auditDetail: overrideReason ? { overbookedSlotIds: short } : undefined
		});
		return { written, locationId: head.locationId, dates: datesOf(slots) };
	});

	publish(ctx, done.locationId, done.dates, done.written.cardChanges);
	return (await reservationView(ctx.db, done.written.id))!;
}

/** After commit only: screens follow the new counts and card statuses. */
export function publish(ctx: AppContext, locationId: number, dates: readonly string[], cardChanges: readonly CardStatusChange[]): void {
	ctx.events.slotsChanged(locationId, dates);
	if (cardChanges.length) ctx.events.cardStatusChanged(cardChanges);
}
