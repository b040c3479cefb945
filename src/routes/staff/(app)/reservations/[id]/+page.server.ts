import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { clientAddress } from '$lib/server/audit/client.ts';
import { isAppError } from '$lib/server/errors.ts';
import { dateString, idParam, locationIdParam } from '$lib/server/schemas.ts';
import { attempt, checked, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';
import { staffSlots } from '$lib/server/scheduling/capacity.ts';
import { mayServe } from '$lib/domain/scope.ts';
import { readCounterReservation } from '$lib/server/reservations/detail.ts';
import { moveStaffReservation } from '$lib/server/booking/move.ts';
import { cancelStaffReservation } from '$lib/server/booking/cancel.ts';
import { setPersonNote } from '$lib/server/notes/notes.ts';

/** R-S04: one booking for staff, with moving it to another time (or location) and cancelling it. */
export const load: PageServerLoad = async (event) => {
	const { params, url, locals } = event;
	const ctx = appContext();
	const id = idParam.safeParse(params.id);
	if (!id.success) error(404, '指定された予約が見つかりません。');
	let reservation;
	try {
		reservation = await readCounterReservation(ctx, locals.principal, id.data, { ip: clientAddress(event), via: 'detail' });
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
	const editable = hasRole(locals.principal!.role, 'clerk') && reservation.status === 'active' && !reservation.checkedInAt;
	// The move picker: which location and day to show free slots for (defaults: the booking's own).
	const loc = locationIdParam.safeParse(url.searchParams.get('moveLocationId') ?? reservation.location.id);
	const date = dateString.safeParse(url.searchParams.get('moveDate') ?? reservation.date);
	// a location this user does not serve is not offered (the move itself refuses it too)
	const moveLocationId = loc.success && mayServe(locals.principal!, loc.data) ? loc.data : reservation.location.id;
	const moveDate = date.success ? date.data : reservation.date;
	return {
		reservation,
		editable,
		canOverride: hasRole(locals.principal!.role, 'supervisor'),
		// R-S14: staff notes are editable here at any time, not only at the counter on the day
		canNote: hasRole(locals.principal!.role, 'clerk'),
		moveLocationId,
		moveDate,
		moveSlots: editable ? await staffSlots(ctx, locals.principal, moveLocationId, moveDate) : [],
		now: ctx.now().toISOString(),
		today: tokyoDateOf(ctx.now())
	};
};

export const actions: Actions = {
	note: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const cardId = idParam.safeParse(f.get('cardId'));
		if (!cardId.success) return fail(400, { action: 'note', message: '指定が正しくありません。' });
		const body = String(f.get('body') ?? '');
		const r = await attempt(() => setPersonNote(appContext(), locals.principal, { cardId: cardId.data, body, ip: getClientAddress() }), {
			action: 'note',
			cardId: cardId.data,
			noteBody: body.slice(0, 1000)
		});
		if (!r.ok) return r.failure;
		return { action: 'note', cardId: cardId.data, noteSaved: true };
	},
	move: async ({ request, params, locals, getClientAddress }) => {
		const id = idParam.safeParse(params.id);
		if (!id.success) return fail(404, { action: 'move', message: '指定された予約が見つかりません。' });
		const f = await request.formData();
		const slotId = text(f, 'slotId');
		const override = checked(f, 'override');
		const reason = text(f, 'overrideReason');
		if (!/^\d+$/.test(slotId)) return fail(400, { action: 'move', message: '新しい時間を選んでください。' });
		if (override && !reason) return fail(400, { action: 'move', message: '定員を超える理由を入力してください。' });
		const r = await attempt(
			() => moveStaffReservation(appContext(), locals.principal, { reservationId: id.data, slotId, override: override ? { reason: reason.slice(0, 500) } : undefined, ip: getClientAddress() }),
			{ action: 'move' }
		);
		if (!r.ok) return r.failure;
		return { action: 'move', done: true };
	},
	cancel: async ({ request, params, locals, getClientAddress }) => {
		const id = idParam.safeParse(params.id);
		if (!id.success) return fail(404, { action: 'cancel', message: '指定された予約が見つかりません。' });
		const f = await request.formData();
		if (!checked(f, 'confirm')) return fail(400, { action: 'cancel', message: '取消の確認にチェックを入れてください。' });
		const r = await attempt(
			() => cancelStaffReservation(appContext(), locals.principal, { reservationId: id.data, reason: text(f, 'reason').slice(0, 500) || null, ip: getClientAddress() }),
			{ action: 'cancel' }
		);
		if (!r.ok) return r.failure;
		return { action: 'cancel', done: true };
	}
};
