import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { setRangeCapacity, setSlotCapacity, staffSlots } from '$lib/server/scheduling/capacity.ts';
import { text } from '$lib/server/web/forms.ts';
import { orPageError } from '$lib/server/web/guard.ts';
import { listVisits } from '$lib/server/checkin/visits.ts';
import { checkIn } from '$lib/server/checkin/checkin.ts';
import { dateString, idParam, locationIdParam, timeString } from '$lib/server/schemas.ts';
import { capacityBody } from '$lib/server/scheduling/schemas.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { isAppError } from '$lib/server/errors.ts';
import { zodFieldErrors } from '$lib/server/web/http.ts';

export const load: PageServerLoad = async ({ url, locals, parent }) => {
	const ctx = appContext();
	const { locations, locationNames } = await parent();
	const loc = locationIdParam.safeParse(url.searchParams.get('locationId') ?? locations[0]?.id);
	const date = dateString.safeParse(url.searchParams.get('date') ?? tokyoDateOf(ctx.now()));
	if (!loc.success || !locationNames.some((l) => l.id === loc.data)) error(404, '指定された交付場所が見つかりません。');
	if (!date.success) error(400, '日付の形式が正しくありません（YYYY-MM-DD）。');
	return {
		locationId: loc.data,
		date: date.data,
		// R-S01: a viewer or clerk sees only a location they serve (403 otherwise)
		slots: await orPageError(() => staffSlots(ctx, locals.principal, loc.data, date.data)),
		visits: await orPageError(() => listVisits(ctx, locals.principal, loc.data, date.data)),
		canEditCapacity: hasRole(locals.principal!.role, 'supervisor'),
		canServe: hasRole(locals.principal!.role, 'clerk'),
		// 来庁受付 is offered on the visit day only (the use case refuses any other day)
		today: tokyoDateOf(ctx.now())
	};
};

export const actions: Actions = {
	capacity: async ({ request, locals, getClientAddress }) => {
		const form = await request.formData();
		const slotId = idParam.safeParse(form.get('slotId'));
		if (!slotId.success) return fail(400, { slotId: null, message: '枠の指定が正しくありません。' });
		const body = capacityBody.safeParse({ capacity: Number(form.get('capacity')), reason: String(form.get('reason') ?? '') });
		if (!body.success || String(form.get('capacity') ?? '').trim() === '') {
			const fields = body.success ? [] : zodFieldErrors(body.error).map((e) => e.field);
			const message = fields.includes('reason') ? '変更の理由を入力してください。' : '定員は0〜1000の整数で入力してください。';
			return fail(400, { slotId: slotId.data, message });
		}
		// R-S05: below the booked count only as an explicit, logged override that lists the bookings affected.
		const override = form.get('override') === 'on';
		try {
			const r = await setSlotCapacity(appContext(), locals.principal, { slotId: slotId.data, ...body.data, override, ip: getClientAddress() });
			return { slotId: slotId.data, saved: true, affected: r.affectedReservations.map((a) => `${a.bookingNumber}（${a.partySize}人）`) };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { slotId: slotId.data, message: e.message, canOverride: e.status === 409 });
			throw e;
		}
	},
	/**
	 * R-S06 R-S05: a supervisor closes a whole day, or a time range of it, at one location in one
	 * audited change (capacity 0, live to every screen). Bookings already there are refused
	 * unless the supervisor confirms; then they are listed, with the bulk mail and the move.
	 */
	close: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const loc = locationIdParam.safeParse(f.get('locationId'));
		const date = dateString.safeParse(f.get('date'));
		const whole = f.get('scope') !== 'range';
		const start = whole ? '00:00' : text(f, 'start');
		const end = whole ? '23:59' : text(f, 'end');
		const reason = text(f, 'reason');
		const values = { scope: whole ? 'day' : 'range', start: whole ? '' : start, end: whole ? '' : end, reason };
		if (!loc.success || !date.success) return fail(400, { close: { ...values, message: '交付場所と日付を指定してください。', canOverride: false } });
		if (!whole && (!timeString.safeParse(start).success || !timeString.safeParse(end).success || end <= start)) {
			return fail(400, { close: { ...values, message: '時間帯は「開始」より後の「終了」を HH:MM で入力してください。', canOverride: false } });
		}
		if (!reason) return fail(400, { close: { ...values, message: '受付停止の理由を入力してください。', canOverride: false } });
		try {
			const r = await setRangeCapacity(appContext(), locals.principal, {
				locationId: loc.data,
				date: date.data,
				start,
				end,
				capacity: 0,
				reason: reason.slice(0, 500),
				override: f.get('override') === 'on',
				ip: getClientAddress()
			});
			return { close: { ...values, closed: r.slots.length, affected: r.affectedReservations.map((a) => ({ id: a.id, bookingNumber: a.bookingNumber, partySize: a.partySize, startsAt: a.startsAt })) } };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { close: { ...values, message: e.message, canOverride: e.status === 409 } });
			throw e;
		}
	},
	checkin: async ({ request, locals, getClientAddress }) => {
		const id = idParam.safeParse((await request.formData()).get('reservationId'));
		if (!id.success) return fail(400, { visitId: null, message: '予約の指定が正しくありません。' });
		try {
			await checkIn(appContext(), locals.principal, { reservationId: id.data, ip: getClientAddress() });
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { visitId: id.data, message: e.message });
			throw e;
		}
		return { visitId: id.data, done: '来庁受付しました。' };
	}
};
