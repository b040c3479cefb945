import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { dayLevel, levelOfTotals, slotLevel, type CapacityState, type Level } from '../../domain/availability.ts';
import { addDays, monthDates, tokyoDateOf, tokyoIso } from '../../domain/dates.ts';
import { loadLocationSettings, type LocationSettings } from './settings-read.ts';
import { bookableRange, dayResolver } from '../../domain/schedule/index.ts';
import type { DayNote } from '../../realtime/events.ts';
import * as locations from './locations.ts';

export interface DayAvailability {
	date: string;
	level: Level;
	note?: DayNote;
}

export interface SlotAvailability {
	id: string;
	date: string;
	startsAt: string;
	endsAt: string;
	level: Level;
}

export interface Availability {
	locationId: number;
	from: string;
	to: string;
	days: DayAvailability[];
	slots: SlotAvailability[];
	/**
	 * Sum of the slot versions in the range: every change bumps one slot's version, so the sum grows
	 * with each change and clients can drop pushes older than what they hold (R-L04).
	 */
	version: string;
}

/** A slot as the levels are computed from it (times as Date or epoch milliseconds). */
export interface AvailabilityRow {
	id: string;
	date: string;
	starts_at: Date | number;
	ends_at: Date | number;
	capacity: number;
	/** booked + held */
	taken: number;
	version: string;
}

const MAX_RANGE_DAYS = 62;

/** Whether citizens may book at this location (R-C04); a plain read, no model instance. */
export async function isCitizenLocation(ctx: AppContext, locationId: number): Promise<boolean> {
	const [row] = await ctx.db.sequelize.query<{ citizen_bookable: boolean }>(`SELECT citizen_bookable FROM locations WHERE id = :locationId`, {
		replacements: { locationId },
		type: QueryTypes.SELECT
	});
	return row?.citizen_bookable === true;
}

async function requireCitizenLocation(ctx: AppContext, locationId: number) {
	if (!(await isCitizenLocation(ctx, locationId))) throw new AppError('not_found', '指定された交付場所が見つかりません。', { en: 'Location not found.' });
}

/**
 * R-C05: a location's availability as levels only. Counts are summed here, on the server, and
 * never leave it; the public page, the public API and the `/public` socket namespace see `level`.
 */
export async function availabilityRange(ctx: AppContext, locationId: number, from: string, to: string): Promise<Availability> {
	checkRange(from, to);
	// Three independent reads at once: one round trip of waiting, not three.
	const [, rows, settings] = await Promise.all([
		requireCitizenLocation(ctx, locationId),
		availabilityRows(ctx, locationId, from, to),
		loadLocationSettings(ctx.db, locationId)
	]);
	return availabilityFromRows(locationId, from, to, rows, settings, ctx.now());
}

function checkRange(from: string, to: string) {
	if (to < from) throw new AppError('bad_request', '`to` must not be before `from`', { errors: [{ field: 'to', message: 'before from' }] });
	if (addDays(from, MAX_RANGE_DAYS) < to) {
		throw new AppError('bad_request', `The range may span at most ${MAX_RANGE_DAYS} days`, { errors: [{ field: 'to', message: 'range too long' }] });
	}
}

/** The slots of a date range as the levels are computed from them, in start order. */
export function availabilityRows(ctx: AppContext, locationId: number, from: string, to: string): Promise<AvailabilityRow[]> {
	return ctx.db.sequelize.query<AvailabilityRow>(
		`SELECT id, date, extract(epoch FROM starts_at)::float8 * 1000 AS starts_at, extract(epoch FROM ends_at)::float8 * 1000 AS ends_at,
		        capacity, booked + held AS taken, version
		   FROM slots WHERE location_id = :locationId AND date BETWEEN :from AND :to ORDER BY starts_at`,
		{ replacements: { locationId, from, to }, type: QueryTypes.SELECT }
	);
}

/** One day's totals (domain `dayTotals`) over its slots that start after `now`, and the sum of their versions. */
export interface DayTotalsRow {
	date: string;
	capacity: number;
	remaining: number;
	version: string;
}

/**
 * The per-day totals of [from, to], summed by Postgres: what a month view needs, 30 rows instead of
 * every slot of the month (the calendar subscribe and the push after every commit read this). The
 * sums are the domain's `dayTotals` over the slots that have not started; whether the day itself is
 * open to citizens is applied afterwards (daysFromTotals), as for slots.
 */
export function dayTotalsRows(ctx: AppContext, locationId: number, from: string, to: string, now: Date): Promise<DayTotalsRow[]> {
	return ctx.db.sequelize.query<DayTotalsRow>(dayTotalsSql(':locationId', ':from', ':to', ':now'), {
		replacements: { locationId, from, to, now: now.toISOString() },
		type: QueryTypes.SELECT
	});
}

/** The SELECT of dayTotalsRows, with the placeholders of the caller's driver (`:name` or `$n`): the live path runs it inside its one read. */
export const dayTotalsSql = (loc: string, from: string, to: string, now: string) =>
	`SELECT date::text AS date,
	        coalesce(sum(capacity) FILTER (WHERE starts_at > ${now}), 0)::int AS capacity,
	        coalesce(sum(greatest(0, capacity - booked - held)) FILTER (WHERE starts_at > ${now}), 0)::int AS remaining,
	        sum(version)::text AS version
	   FROM slots WHERE location_id = ${loc} AND date BETWEEN ${from} AND ${to} GROUP BY date`;

/**
 * R-S07 / R-C05: which days citizens may book now (outside the citizens' window, or on a day the
 * rules now close — a booked slot kept after a rule change — a slot is shown as not open), and the
 * note a closed day carries.
 */
function dayRules(settings: LocationSettings | null, now: Date) {
	const today = tokyoDateOf(now);
	if (!settings) return { noteOf: (date: string): DayNote | undefined => (date < today ? 'past' : undefined), dayOpen: (_date: string) => true };
	const range = bookableRange(settings.window, 'citizen', now);
	const day = dayResolver(settings.rules);
	const openDay = new Map<string, boolean>();
	return {
		noteOf: (date: string): DayNote | undefined => (date < today ? 'past' : !day(date).open ? 'closed' : date < range.from || date > range.to ? 'outside' : undefined),
		dayOpen: (date: string) => {
			let open = openDay.get(date);
			if (open === undefined) openDay.set(date, (open = date >= range.from && date <= range.to && day(date).open));
			return open;
		}
	};
}

function dayOf(date: string, level: Level, noteOf: (date: string) => DayNote | undefined): DayAvailability {
	const note = level === 'closed' ? noteOf(date) : undefined;
	return note ? { date, level, note } : { date, level };
}

/**
 * The levels of [from, to] from its slots (in start order) and the location's settings: no I/O,
 * so the live path can compute several months and staff days from one read.
 */
export function availabilityFromRows(
	locationId: number,
	from: string,
	to: string,
	rows: readonly AvailabilityRow[],
	settings: LocationSettings | null,
	now: Date
): Availability {
	const nowMs = now.getTime();
	const { noteOf, dayOpen } = dayRules(settings, now);
	const byDate = new Map<string, CapacityState[]>();
	const slots: SlotAvailability[] = [];
	let version = 0n;
	for (const r of rows) {
		if (r.date < from || r.date > to) continue;
		const state = { capacity: r.capacity, taken: r.taken, open: new Date(r.starts_at).getTime() > nowMs && dayOpen(r.date) };
		const list = byDate.get(r.date);
		if (list) list.push(state);
		else byDate.set(r.date, [state]);
		version += BigInt(r.version);
		slots.push({ id: String(r.id), date: r.date, startsAt: tokyoIso(new Date(r.starts_at)), endsAt: tokyoIso(new Date(r.ends_at)), level: slotLevel(state) });
	}
	const days: DayAvailability[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) days.push(dayOf(d, dayLevel(byDate.get(d) ?? []), noteOf));
	return { locationId, from, to, days, slots, version: String(version) };
}

/** The days of [from, to] from their totals (dayTotalsRows) and the location's settings: the same levels as availabilityFromRows, no slots. */
export function daysFromTotals(
	locationId: number,
	from: string,
	to: string,
	totals: readonly DayTotalsRow[],
	settings: LocationSettings | null,
	now: Date
): Omit<Availability, 'slots'> {
	const { noteOf, dayOpen } = dayRules(settings, now);
	const byDate = new Map<string, DayTotalsRow>();
	let version = 0n;
	for (const t of totals) {
		if (t.date < from || t.date > to) continue;
		byDate.set(t.date, t);
		version += BigInt(t.version);
	}
	const days: DayAvailability[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) {
		const t = byDate.get(d);
		days.push(dayOf(d, t && dayOpen(d) ? levelOfTotals(t) : 'closed', noteOf));
	}
	return { locationId, from, to, days, version: String(version) };
}

/** R-C05 / R-C06: a month of one location as a calendar shows it (the `/public` subscribe). */
export async function monthAvailability(ctx: AppContext, locationId: number, month: string) {
	const dates = monthDates(month);
	const [from, to] = [dates[0], dates[dates.length - 1]];
	const now = ctx.now();
	const [, totals, settings] = await Promise.all([requireCitizenLocation(ctx, locationId), dayTotalsRows(ctx, locationId, from, to, now), loadLocationSettings(ctx.db, locationId)]);
	return monthPush(daysFromTotals(locationId, from, to, totals, settings, now), month);
}

/** What a `/public` month room receives: the days' levels and the version, not the slots (smaller pushes). */
export function monthPush(a: Omit<Availability, 'slots'>, month: string) {
	return { locationId: a.locationId, month, days: a.days, version: a.version };
}

export async function listCitizenLocations(ctx: AppContext) {
	const rows = await locations.list(ctx, { citizenBookable: true });
	return rows.map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa, nameEn: l.nameEn, addressJa: l.addressJa, addressEn: l.addressEn }));
}

/**
 * R-C05 R-C06: each slot's room (capacity − booked − held) on one day, by slot id — for the server
 * to decide whether a verified party fits (domain `fitsParty`); the counts never leave the server.
 */
export async function slotRoom(ctx: AppContext, locationId: number, date: string): Promise<Map<string, number>> {
	const rows = await ctx.db.sequelize.query<{ id: string; room: number }>(`SELECT id, capacity - booked - held AS room FROM slots WHERE location_id = :loc AND date = :date`, {
		replacements: { loc: locationId, date },
		type: QueryTypes.SELECT
	});
	return new Map(rows.map((r) => [String(r.id), r.room]));
}
