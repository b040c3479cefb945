/**
 * The slot rows a booking races on. Every writer locks the rows it needs with one
 * `SELECT … ORDER BY id FOR UPDATE`, so two transactions always take their locks in the same
 * order and cannot deadlock each other on slots; capacity is then re-checked by the conditional
 * UPDATE itself (DESIGN "Consistency rules").
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { AppError } from '../errors.ts';
import type { SlotRecord } from '../scheduling/capacity.ts';
import { findConsecutiveSlots, tokyoTime, type DateStr, type TimeStr } from '../../domain/schedule/index.ts';

export interface SlotRow {
	id: string;
	locationId: number;
	date: DateStr;
	startsAt: Date;
	endsAt: Date;
	/** Tokyo times of day, for the domain rules */
	start: TimeStr;
	end: TimeStr;
	capacity: number;
	booked: number;
	held: number;
}

/** The columns of a slots row (scheduling's SlotRecord) that a booking reads: SLOT_ROW_COLUMNS. */
export type RawSlot = Pick<SlotRecord, 'id' | 'location_id' | 'date' | 'starts_at' | 'ends_at' | 'capacity' | 'booked' | 'held'>;

export const SLOT_ROW_COLUMNS = 'id, location_id, date, starts_at, ends_at, capacity, booked, held';

export function toRow(r: RawSlot): SlotRow {
	const startsAt = new Date(r.starts_at);
	const endsAt = new Date(r.ends_at);
	return {
		id: String(r.id),
		locationId: r.location_id,
		date: r.date,
		startsAt,
		endsAt,
		start: tokyoTime(startsAt),
		end: tokyoTime(endsAt),
		capacity: r.capacity,
		booked: r.booked,
		held: r.held
	};
}

export const SLOT_NOT_FOUND = '指定された枠が見つかりません。';

/**
 * The ids of the `count` consecutive slots a visit starting at `slotId` takes (R-S17), read
 * without locks: the caller locks them and finds out there if they changed meanwhile.
 */
export async function runFrom(db: Db, t: Transaction, slotId: string, count: number): Promise<{ ids: string[]; locationId: number; rows: SlotRow[] }> {
	const [first] = await db.sequelize.query<RawSlot>(`SELECT ${SLOT_ROW_COLUMNS} FROM slots WHERE id = :slotId`, {
		replacements: { slotId },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (!first) throw new AppError('not_found', SLOT_NOT_FOUND, { en: 'That time was not found.', errors: [{ field: 'slotId', message: SLOT_NOT_FOUND }] });
	if (count <= 1) return { ids: [String(first.id)], locationId: first.location_id, rows: [toRow(first)] };
	const day = (
		await db.sequelize.query<RawSlot>(`SELECT ${SLOT_ROW_COLUMNS} FROM slots WHERE location_id = :loc AND date = :date ORDER BY starts_at`, {
			replacements: { loc: first.location_id, date: first.date },
			type: QueryTypes.SELECT,
			transaction: t
		})
	).map(toRow);
	const rows = runOf(day, toRow(first), count);
	return { ids: rows.map((s) => s.id), locationId: first.location_id, rows };
}

/** The `count` consecutive slots of `day` starting at `head` (R-S17), or a conflict saying the visit does not fit. */
export function runOf(day: readonly SlotRow[], head: SlotRow, count: number): SlotRow[] {
	if (count <= 1) return [head];
	const run = findConsecutiveSlots(day, { date: head.date, start: head.start }, count);
	if (!run.ok) {
		throw new AppError('conflict', `この用件には${count}枠続けて必要ですが、この時間からは続けて予約できません。別の時間を選んでください。`, {
			errors: [{ field: 'slotId', message: '続けて予約できる枠がありません。' }]
		});
	}
	return run.slots;
}

/**
 * Locks the rows in id order and returns them in time order. A row gone since it was read is a 404.
 * NO KEY UPDATE: the counters change, never the key, so inserts referencing the slot (FK checks)
 * by other bookings do not wait on this lock.
 */
export async function lockSlots(db: Db, t: Transaction, ids: readonly string[]): Promise<SlotRow[]> {
	return selectSlots(db, t, ids, 'FOR NO KEY UPDATE');
}

async function selectSlots(db: Db, t: Transaction, ids: readonly string[], lock: string): Promise<SlotRow[]> {
	const unique = [...new Set(ids)];
	const rows = await db.sequelize.query<RawSlot>(`SELECT ${SLOT_ROW_COLUMNS} FROM slots WHERE id IN (:ids) ORDER BY id ${lock}`, {
		replacements: { ids: unique },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (rows.length !== unique.length) {
		throw new AppError('not_found', SLOT_NOT_FOUND, { en: 'That time was not found.', errors: [{ field: 'slotId', message: SLOT_NOT_FOUND }] });
	}
	return rows.map(toRow).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/**
 * The core of DESIGN's consistency rule: each slot takes `n` more places only while
 * booked + held + n <= capacity. Returns the ids that did not fit (nothing changed for them).
 * `column` says whether the places are booked or held (R-C15).
 */
export async function take(db: Db, t: Transaction, ids: readonly string[], n: number, column: 'booked' | 'held'): Promise<string[]> {
	const updated = await db.sequelize.query<{ id: string }>(
		`UPDATE slots SET ${column} = ${column} + :n, version = version + 1, updated_at = now()
		  WHERE id IN (:ids) AND booked + held + :n <= capacity RETURNING id`,
		{ replacements: { ids: [...ids], n }, type: QueryTypes.SELECT, transaction: t }
	);
	const done = new Set(updated.map((r) => String(r.id)));
	return ids.filter((id) => !done.has(id));
}

/** Changes the counters without a capacity check: releases, cancellations, hold → booking, and logged overrides. */
export async function adjust(db: Db, t: Transaction, ids: readonly string[], delta: { booked?: number; held?: number }): Promise<void> {
	if (ids.length === 0) return;
	await db.sequelize.query(
		`UPDATE slots SET booked = booked + :booked, held = held + :held, version = version + 1, updated_at = now() WHERE id IN (:ids)`,
		{ replacements: { ids: [...ids], booked: delta.booked ?? 0, held: delta.held ?? 0 }, transaction: t }
	);
}

/** Tokyo dates the rows fall on, for the slotsChanged event. */
export function datesOf(rows: readonly { date: string }[]): string[] {
	return [...new Set(rows.map((r) => r.date))].sort();
}
