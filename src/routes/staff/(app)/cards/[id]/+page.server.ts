import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { clientAddress } from '$lib/server/audit/client.ts';
import { isAppError } from '$lib/server/errors.ts';
import { idParam } from '$lib/server/schemas.ts';
import { text } from '$lib/server/web/forms.ts';
import { cardWithHistory } from '$lib/server/cards/status.ts';
import { changeCardStorage } from '$lib/server/cards/storage.ts';
import { personNotes, setPersonNote } from '$lib/server/notes/notes.ts';

/** R-S08/R-S03/R-S14: one card — where it is kept (editable), its staff note, every change of its status and data. */
export const load: PageServerLoad = async (event) => {
	const { params, locals } = event;
	const id = idParam.safeParse(params.id);
	if (!id.success) error(404, 'カードが見つかりません。');
	const ctx = appContext();
	try {
		const { card, history } = await cardWithHistory(ctx, locals.principal, id.data, { ip: clientAddress(event) });
		const notes = await personNotes(ctx, locals.principal, id.data);
		return { card, notes, history };
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	storage: async ({ params, request, locals, getClientAddress }) => {
		const id = idParam.safeParse(params.id);
		if (!id.success) return fail(404, { form: 'storage', message: 'カードが見つかりません。' });
		const f = await request.formData();
		const boxPosition = text(f, 'boxPosition');
		const storageLocationId = Number(text(f, 'storageLocationId'));
		if (!Number.isInteger(storageLocationId) || storageLocationId <= 0)
			return fail(400, { form: 'storage', message: '保管場所を選んでください。', boxPosition });
		try {
			const r = await changeCardStorage(appContext(), locals.principal, { cardId: id.data, storageLocationId, boxPosition, ip: getClientAddress() });
			return { form: 'storage', done: r.changed ? '保管場所・保管位置を変更しました。' : '変更はありません。' };
		} catch (e) {
			if (!isAppError(e)) throw e;
			return fail(e.status, { form: 'storage', message: e.message, boxPosition });
		}
	},
	note: async ({ params, request, locals, getClientAddress }) => {
		const id = idParam.safeParse(params.id);
		if (!id.success) return fail(404, { form: 'note', message: 'カードが見つかりません。' });
		const body = String((await request.formData()).get('body') ?? '');
		try {
			await setPersonNote(appContext(), locals.principal, { cardId: id.data, body, ip: getClientAddress() });
			return { form: 'note', done: 'メモを保存しました。' };
		} catch (e) {
			if (!isAppError(e)) throw e;
			return fail(e.status, { form: 'note', message: e.message, body: body.slice(0, 1000) });
		}
	}
};
