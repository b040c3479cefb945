import { QueryTypes } from 'sequelize';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { dayLevel, slotLevel, type CapacityState, type Level } from '../domain/availability.ts';
import { addDays, monthDates } from '../domain/dates.ts';
import { tokyoIso } from './slots.ts';
import { loadLocationSettings, type LocationSettings } from './scheduling/settings-read.ts';
import { bookableRange, dayResolver } from '../domain/schedule/index.ts';
import { tokyoDateOf } from '../domain/dates.ts';
import type { DayNote } from '../realtime/events.ts';

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
export async function availabilityRange(ctx: AppContext, locationId: number, from: string, to: string, withSlots = true): Promise<Availability> {
	if (to < from) throw new AppError('bad_request', '`to` must not be before `from`', { errors: [{ field: 'to', message: 'before from' }] });
	if (addDays(from, MAX_RANGE_DAYS) < to) {
		throw new AppError('bad_request', `The range may span at most ${MAX_RANGE_DAYS} days`, { errors: [{ field: 'to', message: 'range too long' }] });
	}
	// Three independent reads at once: one round trip of waiting, not three.
	const [, rows, settings] = await Promise.all([
		requireCitizenLocation(ctx, locationId),
		availabilityRows(ctx, locationId, from, to),
		loadLocationSettings(ctx.db, locationId)
	]);
	return availabilityFromRows(locationId, from, to, rows, settings, ctx.now(), withSlots);
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
	now: Date,
	/** false: days and version only (a month push carries no slots) */
	withSlots = true
): Availability {
	const nowMs = now.getTime();
	// R-S07 / R-C05: outside the citizens' window, or on a day the rules now close (a booked slot
	// kept after a rule change), a slot is shown as not open.
	const today = tokyoDateOf(now);
	let noteOf: (date: string) => DayNote | undefined = (date) => (date < today ? 'past' : undefined);
	let dayOpen: (date: string) => boolean = () => true;
	if (settings) {
		const range = bookableRange(settings.window, 'citizen', now);
		const day = dayResolver(settings.rules);
		noteOf = (date) => (date < today ? 'past' : !day(date).open ? 'closed' : date < range.from || date > range.to ? 'outside' : undefined);
		const openDay = new Map<string, boolean>();
		dayOpen = (date) => {
			let open = openDay.get(date);
			if (open === undefined) openDay.set(date, (open = date >= range.from && date <= range.to && day(date).open));
			return open;
		};
	}
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
		if (withSlots) slots.push({ id: String(r.id), date: r.date, startsAt: tokyoIso(new Date(r.starts_at)), endsAt: tokyoIso(new Date(r.ends_at)), level: slotLevel(state) });
	}
	const days: DayAvailability[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) {
		const level = dayLevel(byDate.get(d) ?? []);
		const note = level === 'closed' ? noteOf(d) : undefined;
		days.push(note ? { date: d, level, note } : { date: d, level });
	}
	return { locationId, from, to, days, slots, version: String(version) };
}

export async function monthAvailability(ctx: AppContext, locationId: number, month: string) {
	const dates = monthDates(month);
	// a month push carries no slots: none are formatted (every calendar subscribe reads this)
	return monthPush(await availabilityRange(ctx, locationId, dates[0], dates[dates.length - 1], false), month);
}

/** What a `/public` month room receives: the days' levels and the version, not the slots (smaller pushes). */
export function monthPush(a: Availability, month: string) {
	return { locationId: a.locationId, month, days: a.days, version: a.version };
}

export async function listCitizenLocations(ctx: AppContext) {
	const rows = await ctx.db.models.Location.findAll({ where: { citizenBookable: true }, order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
	return rows.map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa, nameEn: l.nameEn, addressJa: l.addressJa }));
}
