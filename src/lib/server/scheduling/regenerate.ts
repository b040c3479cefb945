/**
 * Slot regeneration (R-S06): after a settings change, and daily as the window moves on, a
 * location's stored slots are brought in line with its rules. Idempotent: running it twice
 * changes nothing the second time. Booked or held slots are never removed (the domain's
 * planRegeneration reports them as orphaned); a capacity a supervisor set live is kept.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { AppContext } from '../context.ts';
import { inTransaction } from '../tx.ts';
import { loadLocationSettings } from './settings-read.ts';
import {
	addDays,
	generateSlots,
	planRegeneration,
	toInstant,
	tokyoDate,
	tokyoTime,
	type BookingWindow,
	type DateStr,
	type ExistingSlot
} from '../../domain/schedule/index.ts';

export interface OrphanedSlot {
	id: string;
	date: DateStr;
	start: string;
	end: string;
	/** booked + held places still in it */
	taken: number;
}

export interface RegenerationReport {
	locationId: number;
	from: DateStr;
	to: DateStr;
	created: number;
	updated: number;
	removed: number;
	/** capacities left as a supervisor set them */
	keptManual: number;
	/** booked slots the rules no longer produce: staff must move or cancel their bookings */
	orphaned: OrphanedSlot[];
	/** slots not created because an orphaned slot is in the way */
	blocked: number;
	/** dates whose slots changed, for the slotsChanged event */
	dates: DateStr[];
}

/** No slots are made more than a year ahead, whatever the window says. */
const MAX_HORIZON_DAYS = 366;
const REGENERATION_LOCK = 727_002;

/** The last day slots are made for: the window's latest bookable day. */
export function horizon(w: BookingWindow, today: DateStr): DateStr {
	const cap = addDays(today, MAX_HORIZON_DAYS);
	const to = w.maxMode === 'date' ? (w.maxDate ?? addDays(today, -1)) : addDays(today, Number.isInteger(w.maxDaysAhead) ? w.maxDaysAhead : 0);
	return to > cap ? cap : to;
}

interface Stored {
	id: string;
	date: string;
	starts_at: Date;
	ends_at: Date;
	capacity: number;
	booked: number;
	held: number;
	capacity_manual: boolean;
}

/** Runs in the caller's transaction (settings saves and the seed regenerate atomically with their change). */
export async function regenerateInTransaction(db: Db, t: Transaction, locationId: number, now: Date): Promise<RegenerationReport> {
	const today = tokyoDate(now);
	const settings = await loadLocationSettings(db, locationId, t);
	const empty: RegenerationReport = { locationId, from: today, to: today, created: 0, updated: 0, removed: 0, keptManual: 0, orphaned: [], blocked: 0, dates: [] };
	if (!settings) return empty;
	// One regeneration per location at a time; bookings are not blocked, slot rows are locked below.
	await db.sequelize.query(`SELECT pg_advisory_xact_lock(${REGENERATION_LOCK}, :locationId)`, { replacements: { locationId }, transaction: t });
	const to = horizon(settings.window, today);
	const stored = await db.sequelize.query<Stored>(
		`SELECT id, date, starts_at, ends_at, capacity, booked, held, capacity_manual FROM slots
		  WHERE location_id = :locationId AND date >= :today AND starts_at > :now ORDER BY id FOR UPDATE`,
		{ replacements: { locationId, today, now: now.toISOString() }, type: QueryTypes.SELECT, transaction: t }
	);
	// Slots that have started are history: neither planned for nor removed.
	const generated = to >= today ? generateSlots(settings.rules, today, to).filter((g) => new Date(g.startsAt).getTime() > now.getTime()) : [];
	const byId = new Map(stored.map((s) => [String(s.id), s]));
	const existing: ExistingSlot[] = stored.map((s) => ({
		id: String(s.id),
		date: s.date,
		start: tokyoTime(new Date(s.starts_at)),
		end: tokyoTime(new Date(s.ends_at)),
		capacity: s.capacity,
		booked: s.booked + s.held
	}));
	const plan = planRegeneration(existing, generated);
	const dates = new Set<string>();

	let updated = 0;
	let keptManual = 0;
	for (const u of plan.update) {
		const s = byId.get(u.id)!;
		if (s.capacity_manual) {
			keptManual++;
			continue;
		}
		await db.sequelize.query(`UPDATE slots SET capacity = :capacity, version = version + 1, updated_at = now() WHERE id = :id`, {
			replacements: { id: u.id, capacity: u.capacity },
			transaction: t
		});
		updated++;
		dates.add(s.date);
	}
	let removed = 0;
	if (plan.remove.length) {
		const gone = await db.sequelize.query<{ id: string; date: string }>(
			`DELETE FROM slots WHERE id IN (:ids) AND booked = 0 AND held = 0 RETURNING id, date`,
			{ replacements: { ids: plan.remove }, type: QueryTypes.SELECT, transaction: t }
		);
		removed = gone.length;
		gone.forEach((g) => dates.add(g.date));
	}
	// Created last: a new slot may start where a removed one did (a changed grid), and starts are unique.
	if (plan.create.length) {
		const rows = plan.create.map((g) => ({
			locationId,
			date: g.date,
			startsAt: toInstant(g.date, g.start),
			endsAt: toInstant(g.date, g.end),
			capacity: g.capacity
		}));
		await db.models.Slot.bulkCreate(rows, { ignoreDuplicates: true, transaction: t });
		plan.create.forEach((g) => dates.add(g.date));
	}
	return {
		locationId,
		from: today,
		to,
		created: plan.create.length,
		updated,
		removed,
		keptManual,
		orphaned: plan.orphaned.map((o) => ({ id: o.id, date: o.date, start: o.start, end: o.end, taken: o.booked })),
		blocked: plan.blocked.length,
		dates: [...dates].sort()
	};
}

/** The use case: one location, its own transaction, the event after commit. */
export async function regenerateSlots(ctx: AppContext, locationId: number): Promise<RegenerationReport> {
	const report = await inTransaction(ctx, (t) => regenerateInTransaction(ctx.db, t, locationId, ctx.now()));
	if (report.dates.length) ctx.events.slotsChanged(locationId, report.dates);
	return report;
}

/** Every location with settings: the daily job that keeps the window filled as days pass. */
export async function regenerateAll(ctx: AppContext): Promise<RegenerationReport[]> {
	const rows = await ctx.db.models.LocationSchedule.findAll({ attributes: ['locationId'], order: [['locationId', 'ASC']] });
	const out: RegenerationReport[] = [];
	for (const r of rows) out.push(await regenerateSlots(ctx, r.locationId));
	return out;
}
