/**
 * R-S03: where a card is kept (保管場所 and 保管位置), changed by staff on the card page without
 * re-importing a file. One transaction: the card, a card_record_changes row like an import writes
 * (source 'staff', old and new value of each changed field) and the audit row (ids only).
 */
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireCardsServed, requireLocation } from '../auth/scope.ts';

export const BOX_POSITION_MAX = 40;

export const cardStorageBody = z.strictObject({
	storageLocationId: z.coerce.number().int().positive().max(2_147_483_647),
	boxPosition: z.string().trim().max(BOX_POSITION_MAX, `保管位置は${BOX_POSITION_MAX}文字までです。`)
});
export type CardStorageInput = z.infer<typeof cardStorageBody>;

export interface CardStorage {
	cardId: string;
	storageLocationId: number;
	boxPosition: string;
	changed: boolean;
}

export async function changeCardStorage(
	ctx: AppContext,
	principal: Principal | null,
	input: CardStorageInput & { cardId: string; ip?: string | null }
): Promise<CardStorage> {
	const clerk = requireRole(principal, 'clerk');
	const boxPosition = input.boxPosition.trim();
	if (boxPosition.length > BOX_POSITION_MAX)
		throw new AppError('bad_request', `保管位置は${BOX_POSITION_MAX}文字までです。`, { errors: [{ field: 'boxPosition', message: `${BOX_POSITION_MAX}文字までです。` }] });
	return ctx.db.sequelize.transaction(async (t) => {
		const [card] = await ctx.db.sequelize.query<{ id: string; storage_location_id: number; box_position: string }>(
			`SELECT id, storage_location_id, box_position FROM card_records WHERE id = :id FOR UPDATE`,
			{ replacements: { id: input.cardId }, type: QueryTypes.SELECT, transaction: t }
		);
		if (!card) throw new AppError('not_found', '指定されたカードが見つかりません。');
		await requireCardsServed(ctx, clerk, [input.cardId], t);
		const [loc] = await ctx.db.sequelize.query<{ id: number }>(`SELECT id FROM locations WHERE id = :id`, {
			replacements: { id: input.storageLocationId },
			type: QueryTypes.SELECT,
			transaction: t
		});
		if (!loc)
			throw new AppError('bad_request', '指定された保管場所が見つかりません。', { errors: [{ field: 'storageLocationId', message: '指定された保管場所が見つかりません。' }] });
		// a clerk may move a card only to a place they serve, as the import allows (R-S01)
		await requireLocation(ctx, clerk, input.storageLocationId, t);

		const oldValues: Record<string, unknown> = {};
		const newValues: Record<string, unknown> = {};
		if (card.storage_location_id !== input.storageLocationId) {
			oldValues.storageLocationId = card.storage_location_id;
			newValues.storageLocationId = input.storageLocationId;
		}
		if (card.box_position !== boxPosition) {
			oldValues.boxPosition = card.box_position;
			newValues.boxPosition = boxPosition;
		}
		const changed = Object.keys(newValues).length > 0;
		if (changed) {
			// A card moved to another place is no longer "sent" anywhere: the new place is where it is.
			await ctx.db.sequelize.query(
				`UPDATE card_records SET storage_location_id = :loc, box_position = :box, updated_at = now(),
				        transfer_sent_at = CASE WHEN storage_location_id = :loc THEN transfer_sent_at END,
				        transfer_sent_by = CASE WHEN storage_location_id = :loc THEN transfer_sent_by END,
				        transfer_sent_to = CASE WHEN storage_location_id = :loc THEN transfer_sent_to END
				  WHERE id = :id`,
				{ replacements: { id: input.cardId, loc: input.storageLocationId, box: boxPosition }, transaction: t }
			);
			await ctx.db.sequelize.query(
				`INSERT INTO card_record_changes (card_record_id, source, actor_id, at, old_values, new_values)
				 VALUES (:id, 'staff', :login, :at, CAST(:old AS jsonb), CAST(:new AS jsonb))`,
				{ replacements: { id: input.cardId, login: clerk.login, at: ctx.now().toISOString(), old: JSON.stringify(oldValues), new: JSON.stringify(newValues) }, transaction: t }
			);
			// no box position in the audit detail: it is not personal, but the history row holds it already
			await audit(
				ctx,
				{
					actorType: 'staff',
					actorId: clerk.login,
					action: 'card.storage_changed',
					targetType: 'card',
					targetId: input.cardId,
					detail: { fields: Object.keys(newValues), fromLocationId: card.storage_location_id, toLocationId: input.storageLocationId },
					ip: input.ip
				},
				t
			);
		}
		return { cardId: String(card.id), storageLocationId: input.storageLocationId, boxPosition, changed };
	});
}
