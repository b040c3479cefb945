import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { staffSlots } from '$lib/server/scheduling/capacity.ts';
import { orPageError } from '$lib/server/web/guard.ts';
import { createStaffReservation } from '$lib/server/booking/staff-book.ts';
import { counterReservation } from '$lib/server/reservations/detail.ts';
import { cityRules } from '$lib/server/scheduling/settings-read.ts';
import { purposesOfferedAt } from '$lib/server/scheduling/purposes.ts';
import { dateString, emailAddress, locationIdParam } from '$lib/server/schemas.ts';
import { attempt, checked, int, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';
import { parseJapaneseDate } from '$lib/domain/cards/dates.ts';
import { normalisePhone, PHONE_MESSAGE } from '$lib/domain/phone.ts';

/** R-S04: staff see capacity and booked per slot for a location and day, and book for a citizen. */
export const load: PageServerLoad = async ({ url, locals, parent }) => {
	if (!hasRole(locals.principal!.role, 'clerk')) error(403, 'この操作を行う権限がありません。');
	const ctx = appContext();
	const { locations, locationNames } = await parent();
	const loc = locationIdParam.safeParse(url.searchParams.get('locationId') ?? locations[0]?.id);
	const date = dateString.safeParse(url.searchParams.get('date') ?? tokyoDateOf(ctx.now()));
	if (!loc.success || !locationNames.some((l) => l.id === loc.data)) error(404, '指定された交付場所が見つかりません。');
	if (!date.success) error(400, '日付の形式が正しくありません（YYYY-MM-DD）。');
	// R-S01: only a served location's slots (403 otherwise), before anything else is read
	const slots = await orPageError(() => staffSlots(ctx, locals.principal, loc.data, date.data));
	const purposes = await purposesOfferedAt(ctx, loc.data);
	return {
		locationId: loc.data,
		date: date.data,
		slots,
		purposes: purposes.map((p) => ({ id: p.id, nameJa: p.nameJa, nameEn: p.nameEn, durationSlots: p.durationSlots })),
		maxPersons: (await cityRules(ctx)).maxPersonsPerBooking,
		canOverride: hasRole(locals.principal!.role, 'supervisor'),
		now: ctx.now().toISOString()
	};
};

export const actions: Actions = {
	book: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const count = Math.min(5, Math.max(1, int(f, 'personCount') || 1));
		const persons = Array.from({ length: count }, (_, i) => ({ noticeId: text(f, `noticeId${i}`), birthDate: text(f, `birthDate${i}`) }));
		const values = { slotId: text(f, 'slotId'), purposeId: text(f, 'purposeId'), email: text(f, 'email'), phone: text(f, 'phone'), persons: persons.map((p) => ({ ...p })), override: checked(f, 'override'), overrideReason: text(f, 'overrideReason') };
		const errors: Record<string, string> = {};
		if (!/^\d+$/.test(values.slotId)) errors.slotId = '時間帯を選んでください。';
		// 生年月日 as the caller says it: 1985-01-02, 1985/1/2, 昭和60年1月2日, S60.1.2 … (the import's parser)
		persons.forEach((p, i) => {
			if (!/^[0-9A-Za-z-]{1,20}$/.test(p.noticeId)) errors[`persons.${i}.noticeId`] = '交付通知書番号を入力してください。';
			if (!p.birthDate) errors[`persons.${i}.birthDate`] = '生年月日を入力してください。';
			else {
				const d = parseJapaneseDate(p.birthDate);
				if (d.ok) p.birthDate = d.value;
				else errors[`persons.${i}.birthDate`] = `${d.message}。`;
			}
		});
		const mail = values.email ? emailAddress.safeParse(values.email) : null;
		if (mail && !mail.success) errors.email = `${mail.error.issues[0].message}。`;
		// R-S04: the caller's number, optional; checked here, stored on the booking, never logged
		const phone = values.phone ? normalisePhone(values.phone) : null;
		if (values.phone && !phone) errors.phone = PHONE_MESSAGE;
		if (values.override && !values.overrideReason) errors.overrideReason = '定員を超える理由を入力してください。';
		if (Object.keys(errors).length) {
			return fail(400, { message: '入力内容をご確認ください。', errors, values });
		}
		const r = await attempt(
			() =>
				createStaffReservation(appContext(), locals.principal, {
					slotId: values.slotId,
					purposeId: values.purposeId ? Number(values.purposeId) : undefined,
					persons,
					email: mail?.success ? mail.data : null,
					phone,
					override: values.override ? { reason: values.overrideReason } : undefined,
					ip: getClientAddress()
				}),
			{ values }
		);
		if (!r.ok) return r.failure;
		// What the clerk reads back to the caller: number, place, day and time, persons (R-S04).
		const d = (await counterReservation(appContext().db, r.value.id))!;
		return {
			booked: {
				id: d.id,
				bookingNumber: d.bookingNumber,
				startsAt: d.startsAt,
				endsAt: d.endsAt,
				locationJa: d.location.nameJa,
				locationEn: d.location.nameEn,
				purposeJa: d.purpose.nameJa,
				persons: d.persons.map((p) => ({ nameKana: p.nameKana, noticeId: p.noticeId })),
				email: d.email,
				phone: d.phone,
				overrideReason: r.value.overrideReason
			}
		};
	}
};
