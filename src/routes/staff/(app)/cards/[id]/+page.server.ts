import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { isAppError } from '$lib/server/errors.ts';
import { idParam } from '$lib/server/schemas.ts';
import { cardHistory } from '$lib/server/cards/status.ts';

/** R-S08/R-S03: one card — where it is kept and every change of its status and data. */
export const load: PageServerLoad = async ({ params, locals }) => {
	const id = idParam.safeParse(params.id);
	if (!id.success) error(404, 'カードが見つかりません。');
	const ctx = appContext();
	try {
		const history = await cardHistory(ctx, locals.principal, id.data);
		const card = (await ctx.db.models.CardRecord.findByPk(id.data))!;
		return {
			card: {
				id: String(card.id),
				noticeId: card.noticeId,
				birthDate: card.birthDate,
				nameKanji: card.nameKanji,
				nameKana: card.nameKana,
				gender: card.gender === 1 || card.gender === 2 ? (Number(card.gender) as 1 | 2) : null,
				address: card.address,
				storageLocationId: card.storageLocationId,
				boxPosition: card.boxPosition,
				noticeSentOn: card.noticeSentOn ?? null,
				status: card.status
			},
			history: history.history
		};
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
};
