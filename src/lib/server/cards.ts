import { Op, type WhereOptions } from 'sequelize';
import type { AppContext } from './context.ts';
import { requireRole, type Principal } from './auth/session.ts';
import type { CardStatus } from '../domain/card-status.ts';
import type { CardRecord } from '../../../db/models/card-record.ts';

export interface CardQuery {
	status?: CardStatus;
	q?: string;
	limit: number;
	offset: number;
}

/** R-S09: card records for staff, filtered by status and by notice ID or name kana. */
export async function listCards(ctx: AppContext, principal: Principal | null, query: CardQuery) {
	requireRole(principal, 'viewer');
	const where: WhereOptions<CardRecord> = {};
	if (query.status) Object.assign(where, { status: query.status });
	if (query.q) {
		const term = query.q.replace(/[\\%_]/g, (c) => `\\${c}`);
		Object.assign(where, { [Op.or]: [{ noticeId: { [Op.startsWith]: term } }, { nameKana: { [Op.substring]: term } }] });
	}
	const { rows, count } = await ctx.db.models.CardRecord.findAndCountAll({
		where,
		order: [['id', 'ASC']],
		limit: query.limit,
		offset: query.offset
	});
	return {
		total: count,
		items: rows.map((c) => ({
			id: String(c.id),
			noticeId: c.noticeId,
			birthDate: c.birthDate,
			nameKana: c.nameKana,
			status: c.status,
			storageLocationId: c.storageLocationId
		}))
	};
}
