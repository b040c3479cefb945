/**
 * R-S01 R-O04 broken access control: viewers and clerks see and act only on the locations they
 * serve (Principal.locations, loaded with the session). Use cases call these after their role
 * check, before they write anything; a refusal is 403 with a message that says which location.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { mayServe, mayServeAny, servedLocations, type Scoped } from '../../domain/scope.ts';
import { listingOrderSql } from '../scheduling/locations.ts';

type Ctx = Pick<AppContext, 'db'>;

export const NOT_SERVED = 'この交付場所を担当していないため、表示・操作できません。';

async function refusal(ctx: Ctx, locationIds: readonly number[], transaction?: Transaction): Promise<AppError> {
	const rows = locationIds.length
		? await ctx.db.sequelize.query<{ name_ja: string }>(`SELECT name_ja FROM locations WHERE id IN (:ids) ORDER BY ${listingOrderSql()}`, {
				replacements: { ids: [...locationIds] },
				type: QueryTypes.SELECT,
				transaction
			})
		: [];
	const names = rows.map((r) => `「${r.name_ja}」`).join('・');
	const message = names ? `${names}を担当していないため、表示・操作できません。担当の交付場所は管理者が設定します。` : NOT_SERVED;
	return new AppError('forbidden', message, { extra: { reason: 'location_not_served' } });
}

/** The served locations to filter a read by, or null for no filter (every location). */
export const servedFilter = (p: Scoped): number[] | null => {
	const s = servedLocations(p);
	return s === null ? null : [...s];
};

/** Throws 403 unless `p` serves `locationId`. */
export async function requireLocation(ctx: Ctx, p: Scoped, locationId: number, transaction?: Transaction): Promise<void> {
	if (!mayServe(p, locationId)) throw await refusal(ctx, [locationId], transaction);
}

/** The location of one row of `table` must be served; an unknown row is left to the use case (404). */
async function requireRowServed(ctx: Ctx, p: Scoped, table: 'reservations' | 'slots', id: string, transaction?: Transaction): Promise<void> {
	if (servedLocations(p) === null) return;
	const [r] = await ctx.db.sequelize.query<{ location_id: number }>(`SELECT location_id FROM ${table} WHERE id = :id`, {
		replacements: { id },
		type: QueryTypes.SELECT,
		transaction
	});
	if (r) await requireLocation(ctx, p, r.location_id, transaction);
}

/** The reservation's location must be served; an unknown reservation is left to the use case (404). */
export const requireReservationServed = (ctx: Ctx, p: Scoped, reservationId: string, transaction?: Transaction) =>
	requireRowServed(ctx, p, 'reservations', reservationId, transaction);

/** The slot's location must be served; an unknown slot is left to the use case (404). */
export const requireSlotServed = (ctx: Ctx, p: Scoped, slotId: string, transaction?: Transaction) => requireRowServed(ctx, p, 'slots', slotId, transaction);

/**
 * A card concerns where it is stored and where its active visit is (a card stored at A and
 * handed out at B is work for both). Every card must be served by one of them; unknown ids are
 * left to the use case.
 */
export async function requireCardsServed(ctx: Ctx, p: Scoped, cardIds: readonly string[], transaction?: Transaction): Promise<void> {
	const served = servedFilter(p);
	if (served === null || cardIds.length === 0) return;
	const rows = await ctx.db.sequelize.query<{ storage_location_id: number; visit_location_ids: number[] }>(
		`SELECT c.storage_location_id,
		        ARRAY(SELECT r.location_id FROM reservation_persons rp JOIN reservations r ON r.id = rp.reservation_id
		               WHERE rp.card_record_id = c.id AND rp.active) AS visit_location_ids
		   FROM card_records c WHERE c.id = ANY($1::bigint[])`,
		{ bind: [[...cardIds]], type: QueryTypes.SELECT, transaction }
	);
	const outside = rows.filter((r) => !mayServeAny(p, [r.storage_location_id, ...(r.visit_location_ids ?? []).map(Number)]));
	if (outside.length) throw await refusal(ctx, [...new Set(outside.map((r) => r.storage_location_id))], transaction);
}
