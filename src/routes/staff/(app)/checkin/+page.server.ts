import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { clientAddress } from '$lib/server/audit/client.ts';
import { isAppError } from '$lib/server/errors.ts';
import { idParam } from '$lib/server/schemas.ts';
import { text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';
import { checkIn, checkInByCode } from '$lib/server/checkin/checkin.ts';
import { markIssued, markNeedsRedo, undoIssue } from '$lib/server/checkin/cards.ts';
import { setPersonNote } from '$lib/server/notes/notes.ts';
import { readCounterReservation } from '$lib/server/reservations/detail.ts';
import { searchReservations } from '$lib/server/reservations/search.ts';

/** R-S15 the counter: a QR scan (or a search) opens the booking; the clerk then works person by person. */
export const load: PageServerLoad = async (event) => {
	const { url, locals } = event;
	if (!locals.principal || !hasRole(locals.principal.role, 'clerk')) error(403, 'この操作を行う権限がありません。');
	const ctx = appContext();
	const today = tokyoDateOf(ctx.now());
	const r = idParam.safeParse(url.searchParams.get('r'));
	const q = (url.searchParams.get('q') ?? '').slice(0, 100);
	const onlyToday = url.searchParams.get('all') !== '1';
	let reservation = null;
	// a booking at a location this clerk does not serve (R-S01) is not opened: the reason is shown instead
	let openError: string | null = null;
	if (r.success) {
		try {
			reservation = await readCounterReservation(ctx, locals.principal, r.data, { ip: clientAddress(event), via: 'counter' });
		} catch (e) {
			if (!isAppError(e)) throw e;
			if (e.status === 403) openError = e.message;
		}
	}
	const found = q.trim() ? await searchReservations(ctx, locals.principal, { q, date: onlyToday ? today : undefined, limit: 20 }) : null;
	return { today, now: ctx.now().toISOString(), reservation, openError, q, onlyToday, found, scanned: url.searchParams.get('scanned') };
};

/** A refusal shown beside what was tried; anything unexpected stays a 500. */
function refused(e: unknown, extra: Record<string, unknown> = {}) {
	if (isAppError(e)) return fail(e.status, { message: e.message, ...extra });
	throw e;
}

function ids(f: FormData) {
	const reservationId = idParam.safeParse(f.get('reservationId'));
	const cardId = idParam.safeParse(f.get('cardId'));
	return reservationId.success && cardId.success ? { reservationId: reservationId.data, cardId: cardId.data } : null;
}

export const actions: Actions = {
	scan: async ({ request, locals, getClientAddress }) => {
		const code = text(await request.formData(), 'code');
		if (!code) return fail(400, { scanError: 'QRコードを読み取ってください。', code });
		let id: string;
		let again = false;
		try {
			const r = await checkInByCode(appContext(), locals.principal, { code, ip: getClientAddress() });
			id = r.reservation.id;
			again = r.alreadyCheckedIn;
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { scanError: e.message, code: code.slice(0, 40) });
			throw e;
		}
		redirect(303, `/staff/checkin?r=${id}&scanned=${again ? 'again' : 'new'}`);
	},
	checkin: async ({ request, locals, getClientAddress }) => {
		const id = idParam.safeParse((await request.formData()).get('reservationId'));
		if (!id.success) return fail(400, { message: '予約の指定が正しくありません。' });
		try {
			await checkIn(appContext(), locals.principal, { reservationId: id.data, ip: getClientAddress() });
		} catch (e) {
			return refused(e, { reservationId: id.data });
		}
		redirect(303, `/staff/checkin?r=${id.data}&scanned=new`);
	},
	issue: async ({ request, locals, getClientAddress }) => {
		const p = ids(await request.formData());
		if (!p) return fail(400, { message: '指定が正しくありません。' });
		try {
			await markIssued(appContext(), locals.principal, { ...p, ip: getClientAddress() });
		} catch (e) {
			return refused(e, { cardId: p.cardId });
		}
		return { cardId: p.cardId, done: 'issued' };
	},
	undo: async ({ request, locals, getClientAddress }) => {
		const p = ids(await request.formData());
		if (!p) return fail(400, { message: '指定が正しくありません。' });
		try {
			await undoIssue(appContext(), locals.principal, { ...p, ip: getClientAddress() });
		} catch (e) {
			return refused(e, { cardId: p.cardId });
		}
		return { cardId: p.cardId, done: 'undone' };
	},
	redo: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const p = ids(f);
		if (!p) return fail(400, { message: '指定が正しくありません。' });
		const note = text(f, 'note');
		if (!note) return fail(400, { cardId: p.cardId, message: '不備の内容を入力してください。', field: 'note' });
		try {
			await markNeedsRedo(appContext(), locals.principal, { ...p, note: note.slice(0, 500), ip: getClientAddress() });
		} catch (e) {
			return refused(e, { cardId: p.cardId });
		}
		return { cardId: p.cardId, done: 'redone' };
	},
	note: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const cardId = idParam.safeParse(f.get('cardId'));
		if (!cardId.success) return fail(400, { message: '指定が正しくありません。' });
		const body = String(f.get('body') ?? '');
		try {
			await setPersonNote(appContext(), locals.principal, { cardId: cardId.data, body, ip: getClientAddress() });
		} catch (e) {
			return refused(e, { cardId: cardId.data, noteBody: body.slice(0, 1000) });
		}
		return { cardId: cardId.data, done: 'note' };
	}
};
