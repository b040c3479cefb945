/**
 * R-S03 R-S11: marking cards on the transfer list (回送リスト) as sent (回送済), one or many in one
 * transaction. A sent card records who sent it, when, and to which issuing location: the card
 * waits for a visit at another location, and once sent to it the counter stops warning and the
 * list shows the row as sent. Moving the visit elsewhere makes the transfer due again (the mark
 * names the old destination). Unmarking (sent: false) undoes a mistaken mark.
 */
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { mayServeAny } from '../../domain/scope.ts';
import { idParam } from '../schemas.ts';

export const MAX_TRANSFER_MARKS = 500;

export const transferMarkBody = z.strictObject({
	cardIds: z.array(z.union([idParam, z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String)])).min(1).max(MAX_TRANSFER_MARKS),
	sent: z.boolean()
});

export interface TransferMarkResult {
	sent: boolean;
	changed: string[];
	unchanged: string[];
}

interface Due {
	id: string;
	storage_location_id: number;
	transfer_sent_to: number | null;
	issuing_location_id: number | null;
}

export async function markTransfers(
	ctx: AppContext,
	principal: Principal | null,
	input: { cardIds: string[]; sent: boolean; ip?: string | null }
): Promise<TransferMarkResult> {
	const clerk = requireRole(principal, 'clerk');
	const ids = [...new Set(input.cardIds.map(String))];
	return ctx.db.sequelize.transaction(async (t) => {
		// The card and the issuing location of its booking still to come that is kept elsewhere.
		const rows = await ctx.db.sequelize.query<Due>(
			`SELECT c.id, c.storage_location_id, c.transfer_sent_to, v.location_id AS issuing_location_id
			   FROM card_records c
			   LEFT JOIN LATERAL (
			     SELECT r.location_id FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id
			      WHERE p.card_record_id = c.id AND p.active AND r.status = 'active' AND r.checked_in_at IS NULL
			        AND r.location_id <> c.storage_location_id
			      ORDER BY r.date LIMIT 1) v ON true
			  WHERE c.id IN (:ids) ORDER BY c.id FOR UPDATE OF c`,
			{ replacements: { ids }, type: QueryTypes.SELECT, transaction: t }
		);
		const found = new Map(rows.map((r) => [String(r.id), r]));
		const missing = ids.filter((id) => !found.has(id));
		if (missing.length)
			throw new AppError('not_found', '指定されたカードが見つかりません。', { errors: missing.map((id) => ({ field: `cardIds.${id}`, message: '見つかりません。' })) });
		// R-S01: either end of the transfer must be served (the list shows the rows that concern one)
		{
			const foreign = rows.filter((r) => !mayServeAny(clerk, [r.storage_location_id, r.issuing_location_id, r.transfer_sent_to]));
			if (foreign.length)
				throw new AppError('forbidden', '担当していない交付場所のカードが含まれています。', { extra: { reason: 'location_not_served', cardIds: foreign.map((r) => String(r.id)) } });
		}
		if (input.sent) {
			const notDue = rows.filter((r) => r.issuing_location_id === null);
			if (notDue.length)
				throw new AppError('conflict', '回送の必要がないカードが含まれています（保管場所が交付場所と同じか、これからの予約がありません）。', {
					errors: notDue.map((r) => ({ field: `cardIds.${r.id}`, message: '回送の必要がありません。' }))
				});
		}
		const changed: string[] = [];
		const unchanged: string[] = [];
		for (const r of rows) {
			const already = r.transfer_sent_to !== null && r.transfer_sent_to === r.issuing_location_id;
			if (input.sent ? already : r.transfer_sent_to === null) unchanged.push(String(r.id));
			else changed.push(String(r.id));
		}
		if (changed.length) {
			if (input.sent)
				await ctx.db.sequelize.query(
					`UPDATE card_records c SET transfer_sent_at = :at, transfer_sent_by = :login, transfer_sent_to = d.to_id, updated_at = now()
					   FROM unnest(ARRAY[:ids]::bigint[], ARRAY[:tos]::int[]) AS d(id, to_id) WHERE c.id = d.id`,
					{
						replacements: { at: ctx.now().toISOString(), login: clerk.login, ids: changed, tos: changed.map((id) => found.get(id)!.issuing_location_id) },
						transaction: t
					}
				);
			else
				await ctx.db.sequelize.query(
					`UPDATE card_records SET transfer_sent_at = NULL, transfer_sent_by = NULL, transfer_sent_to = NULL, updated_at = now() WHERE id IN (:ids)`,
					{ replacements: { ids: changed }, transaction: t }
				);
			await audit(
				ctx,
				{
					actorType: 'staff',
					actorId: clerk.login,
					action: input.sent ? 'card.transfer_sent' : 'card.transfer_unsent',
					targetType: 'card',
					targetId: changed.length === 1 ? changed[0] : null,
					detail: { cardIds: changed, count: changed.length },
					ip: input.ip
				},
				t
			);
		}
		return { sent: input.sent, changed, unchanged };
	});
}
