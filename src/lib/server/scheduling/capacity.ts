import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import { inTransaction } from '../tx.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { toInstant, validateTimeRanges } from '../../domain/schedule/index.ts';

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

/** A slots row as Postgres returns it (times as Date, or as epoch milliseconds where a read asks for them: the live path). */
export interface SlotRecord {
	id: string;
	location_id: number;
	date: string;
	starts_at: Date | number;
	ends_at: Date | number;
	capacity: number;
	booked: number;
	held: number;
	checked_in: number;
	version: string;
}

export function toStaffSlot(r: SlotRecord): StaffSlot {
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

export const SLOT_COLUMNS = 'id, location_id, date, starts_at, ends_at, capacity, booked, held, checked_in, version';
/** R-S04 / R-L01: one location's slots for a day, with counts, for staff. */
export async function listStaffSlots(ctx: AppContext, locationId: number, date: string): Promise<StaffSlot[]> {
	const rows = await ctx.db.sequelize.query<SlotRecord>(
		`SELECT ${SLOT_COLUMNS} FROM slots WHERE location_id = :locationId AND date = :date ORDER BY starts_at`,
		{ replacements: { locationId, date }, type: QueryTypes.SELECT }
	);
	return rows.map(toStaffSlot);
}

/**
 * R-S04 R-S01: the same for a staff user: a viewer or clerk only for a location they serve.
 * (listStaffSlots itself has no principal: the realtime hub pushes it to rooms already checked.)
 */
export async function staffSlots(ctx: AppContext, principal: Principal | null, locationId: number, date: string): Promise<StaffSlot[]> {
	const p = requireRole(principal, 'viewer');
	await requireLocation(ctx, p, locationId);
	return listStaffSlots(ctx, locationId, date);
}

/** A booking a capacity override leaves above the new capacity: staff must call these citizens (R-S05). */
export interface AffectedReservation {
	id: string;
	bookingNumber: string;
	partySize: number;
	slotId: string;
	startsAt: string;
}

export type CapacityChange = StaffSlot & { override: boolean; affectedReservations: AffectedReservation[] };

async function affectedIn(ctx: AppContext, slotIds: readonly string[], transaction: Transaction): Promise<AffectedReservation[]> {
	if (slotIds.length === 0) return [];
	const rows = await ctx.db.sequelize.query<{ id: string; booking_number: string; party_size: number; slot_id: string; starts_at: Date }>(
		`SELECT r.id, r.booking_number, r.party_size, rs.slot_id, r.starts_at FROM reservations r
		   JOIN reservation_slots rs ON rs.reservation_id = r.id
		  WHERE rs.slot_id IN (:slotIds) AND r.status = 'active' ORDER BY r.starts_at, r.id`,
		{ replacements: { slotIds: [...slotIds] }, type: QueryTypes.SELECT, transaction }
	);
	return rows.map((r) => ({
		id: String(r.id),
		bookingNumber: r.booking_number,
		partySize: r.party_size,
		slotId: String(r.slot_id),
		startsAt: tokyoIso(new Date(r.starts_at))
	}));
}

const belowMessage = (taken: number) =>
	`予約済み・保留中の人数（${taken}人）より少ない定員には変更できません。予約を残したまま減らす場合は「定員超過を承知で変更」を選んでください。`;

/**
 * R-S05: a supervisor changes one slot's capacity, with a reason, live. The row is locked so a
 * booking racing this change sees either the old or the new capacity, never a mix.
 * Going below booked + held is refused unless `override` is set: then it is allowed, logged as
 * an override, and the bookings now above capacity are returned so staff can contact them.
 * The slot is marked manual, so regenerating from the rules keeps this capacity.
 */
export async function setSlotCapacity(
	ctx: AppContext,
	principal: Principal | null,
	input: { slotId: string; capacity: number; reason: string; override?: boolean; ip?: string | null }
): Promise<CapacityChange> {
	const actor = requireRole(principal, 'supervisor');
	const { updated, affected, override } = await inTransaction(ctx, async (transaction) => {
		const [row] = await ctx.db.sequelize.query<SlotRecord>(`SELECT ${SLOT_COLUMNS} FROM slots WHERE id = :id FOR UPDATE`, {
			replacements: { id: input.slotId },
			type: QueryTypes.SELECT,
			transaction
		});
		if (!row) throw new AppError('not_found', '指定された枠が見つかりません。');
		const taken = row.booked + row.held;
		const override = input.capacity < taken;
		if (override && !input.override) {
			throw new AppError('conflict', belowMessage(taken), {
				errors: [{ field: 'capacity', message: `${taken}以上の値を入力してください。` }],
				extra: { booked: row.booked, held: row.held }
			});
		}
		const affected = override ? await affectedIn(ctx, [String(row.id)], transaction) : [];
		const [after] = await ctx.db.sequelize.query<SlotRecord>(
			`UPDATE slots SET capacity = :capacity, capacity_manual = true, version = version + 1, updated_at = now()
			 WHERE id = :id RETURNING ${SLOT_COLUMNS}`,
			{ replacements: { id: input.slotId, capacity: input.capacity }, type: QueryTypes.SELECT, transaction }
		);
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: actor.login,
				action: override ? 'slot.capacity_overridden' : 'slot.capacity_changed',
				targetType: 'slot',
				targetId: row.id,
				detail: override
					? { from: row.capacity, to: input.capacity, reason: input.reason, booked: row.booked, held: row.held, affectedReservationIds: affected.map((a) => a.id) }
					: { from: row.capacity, to: input.capacity, reason: input.reason },
				ip: input.ip
			},
			transaction
		);
		return { updated: after, affected, override };
	});
	ctx.events.slotsChanged(updated.location_id, [updated.date]);
	return { ...toStaffSlot(updated), override, affectedReservations: affected };
}

export interface RangeCapacityInput {
	locationId: number;
	date: string;
	/** Tokyo times 'HH:MM'; slots overlapping [start, end) change */
	start: string;
	end: string;
	capacity: number;
	reason: string;
	override?: boolean;
	ip?: string | null;
}

/**
 * R-S05 / R-S06 "per time range": one transaction sets the capacity of every slot of a day
 * overlapping the range. Below booked + held anywhere, it is refused as a whole unless
 * `override`; then it is logged as an override listing the affected bookings.
 */
export async function setRangeCapacity(
	ctx: AppContext,
	principal: Principal | null,
	input: RangeCapacityInput
): Promise<{ slots: StaffSlot[]; override: boolean; affectedReservations: AffectedReservation[] }> {
	const actor = requireRole(principal, 'supervisor');
	const errors = validateTimeRanges([{ date: input.date, start: input.start, end: input.end, capacity: input.capacity }]);
	if (errors.length) {
		throw new AppError('bad_request', errors.map((e) => e.message).join(' '), { errors: errors.map(({ field, message }) => ({ field, message })) });
	}
	const from = toInstant(input.date, input.start).toISOString();
	const to = toInstant(input.date, input.end).toISOString();
	const done = await inTransaction(ctx, async (transaction) => {
		const rows = await ctx.db.sequelize.query<SlotRecord>(
			`SELECT ${SLOT_COLUMNS} FROM slots WHERE location_id = :loc AND date = :date AND starts_at < :to AND ends_at > :from
			 ORDER BY id FOR UPDATE`,
			{ replacements: { loc: input.locationId, date: input.date, from, to }, type: QueryTypes.SELECT, transaction }
		);
		if (rows.length === 0) throw new AppError('not_found', 'この時間帯に枠がありません。', { errors: [{ field: 'start', message: '枠がありません。' }] });
		const below = rows.filter((r) => input.capacity < r.booked + r.held);
		if (below.length && !input.override) {
			const times = below.map((r) => `${tokyoIso(new Date(r.starts_at)).slice(11, 16)}（${r.booked + r.held}人）`).join('、');
			throw new AppError('conflict', `次の枠は予約済み・保留中の人数より少なくなります: ${times}。予約を残したまま減らす場合は「定員超過を承知で変更」を選んでください。`, {
				errors: [{ field: 'capacity', message: `${Math.max(...below.map((r) => r.booked + r.held))}以上の値を入力してください。` }],
				extra: { slots: below.map((r) => ({ id: String(r.id), booked: r.booked, held: r.held })) }
			});
		}
		const affected = below.length ? await affectedIn(ctx, below.map((r) => String(r.id)), transaction) : [];
		const after = await ctx.db.sequelize.query<SlotRecord>(
			`UPDATE slots SET capacity = :capacity, capacity_manual = true, version = version + 1, updated_at = now()
			 WHERE id IN (:ids) RETURNING ${SLOT_COLUMNS}`,
			{ replacements: { ids: rows.map((r) => r.id), capacity: input.capacity }, type: QueryTypes.SELECT, transaction }
		);
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: actor.login,
				action: below.length ? 'slot.capacity_range_overridden' : 'slot.capacity_range_changed',
				targetType: 'location',
				targetId: input.locationId,
				detail: {
					date: input.date,
					start: input.start,
					end: input.end,
					to: input.capacity,
					reason: input.reason,
					from: Object.fromEntries(rows.map((r) => [String(r.id), r.capacity])),
					...(below.length ? { affectedReservationIds: affected.map((a) => a.id) } : {})
				},
				ip: input.ip
			},
			transaction
		);
		return { after, affected, override: below.length > 0 };
	});
	ctx.events.slotsChanged(input.locationId, [input.date]);
	const slots = done.after.map(toStaffSlot).sort((a, b) => (a.startsAt < b.startsAt ? -1 : 1));
	return { slots, override: done.override, affectedReservations: done.affected };
}
