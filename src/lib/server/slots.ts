import { QueryTypes } from 'sequelize';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { audit } from './audit.ts';
import { requireRole, type Principal } from './auth/session.ts';

export interface StaffSlot {
	id: string;
	locationId: number;
	date: string;
	startsAt: string;
	endsAt: string;
	capacity: number;
	booked: number;
	held: number;
	checkedIn: number;
	version: string;
}

interface SlotRow {
	id: string;
	location_id: number;
	date: string;
	starts_at: Date;
	ends_at: Date;
	capacity: number;
	booked: number;
	held: number;
	checked_in: number;
	version: string;
}

/** ISO 8601 with the Tokyo offset, as the public contract asks. */
export function tokyoIso(d: Date): string {
	return new Date(d.getTime() + 9 * 3600_000).toISOString().replace(/\.\d{3}Z$/, '+09:00');
}

export function toStaffSlot(r: SlotRow): StaffSlot {
	return {
		id: String(r.id),
		locationId: r.location_id,
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		capacity: r.capacity,
		booked: r.booked,
		held: r.held,
		checkedIn: r.checked_in,
		version: String(r.version)
	};
}

const SLOT_COLUMNS = 'id, location_id, date, starts_at, ends_at, capacity, booked, held, checked_in, version';

/** R-S04 / R-L01: one location's slots for a day, with counts, for staff. */
export async function listStaffSlots(ctx: AppContext, locationId: number, date: string): Promise<StaffSlot[]> {
	const rows = await ctx.db.sequelize.query<SlotRow>(
		`SELECT ${SLOT_COLUMNS} FROM slots WHERE location_id = :locationId AND date = :date ORDER BY starts_at`,
		{ replacements: { locationId, date }, type: QueryTypes.SELECT }
	);
	return rows.map(toStaffSlot);
}

/**
 * R-S05: a supervisor changes one slot's capacity, with a reason, live. The row is locked so a
 * booking racing this change sees either the old or the new capacity, never a mix.
 * Going below the booked count is refused here; the logged override path comes with the booking core.
 */
export async function setSlotCapacity(
	ctx: AppContext,
	principal: Principal | null,
	input: { slotId: string; capacity: number; reason: string; ip?: string | null }
): Promise<StaffSlot> {
	const actor = requireRole(principal, 'supervisor');
	const updated = await ctx.db.sequelize.transaction(async (transaction) => {
		const [row] = await ctx.db.sequelize.query<SlotRow>(`SELECT ${SLOT_COLUMNS} FROM slots WHERE id = :id FOR UPDATE`, {
			replacements: { id: input.slotId },
			type: QueryTypes.SELECT,
			transaction
		});
		if (!row) throw new AppError('not_found', '指定された枠が見つかりません。');
		const taken = row.booked + row.held;
		if (input.capacity < taken) {
			throw new AppError('conflict', `予約済み・保留中の人数（${taken}人）より少ない定員には変更できません。`, {
				errors: [{ field: 'capacity', message: `${taken}以上の値を入力してください。` }],
				extra: { booked: row.booked, held: row.held }
			});
		}
		const [after] = await ctx.db.sequelize.query<SlotRow>(
			`UPDATE slots SET capacity = :capacity, version = version + 1, updated_at = now()
			 WHERE id = :id RETURNING ${SLOT_COLUMNS}`,
			{ replacements: { id: input.slotId, capacity: input.capacity }, type: QueryTypes.SELECT, transaction }
		);
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: actor.login,
				action: 'slot.capacity_changed',
				targetType: 'slot',
				targetId: row.id,
				detail: { from: row.capacity, to: input.capacity, reason: input.reason },
				ip: input.ip
			},
			transaction
		);
		return after;
	});
	ctx.events.slotsChanged(updated.location_id, [updated.date]);
	return toStaffSlot(updated);
}
