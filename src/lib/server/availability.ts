import { QueryTypes } from 'sequelize';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { dayLevel, slotLevel, type Level } from '../domain/availability.ts';
import { addDays, monthDates } from '../domain/dates.ts';
import { tokyoIso } from './slots.ts';
import { loadLocationSettings } from './scheduling/settings-read.ts';
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

interface Row {
	id: string;
	date: string;
	starts_at: Date;
	ends_at: Date;
	capacity: number;
	taken: number;
	open: boolean;
	version: string;
}

const MAX_RANGE_DAYS = 62;

async function requireCitizenLocation(ctx: AppContext, locationId: number) {
	const loc = await ctx.db.models.Location.findByPk(locationId);
	if (!loc || !loc.citizenBookable) throw new AppError('not_found', '指定された交付場所が見つかりません。', { en: 'Location not found.' });
	return loc;
}

/**
 * R-C05: a location's availability as levels only. Counts are summed here, on the server, and
 * never leave it; the public page, the public API and the `/public` socket namespace see `level`.
 */
export async function availabilityRange(ctx: AppContext, locationId: number, from: string, to: string): Promise<Availability> {
	await requireCitizenLocation(ctx, locationId);
	if (to < from) throw new AppError('bad_request', '`to` must not be before `from`', { errors: [{ field: 'to', message: 'before from' }] });
	if (addDays(from, MAX_RANGE_DAYS) < to) {
		throw new AppError('bad_request', `The range may span at most ${MAX_RANGE_DAYS} days`, { errors: [{ field: 'to', message: 'range too long' }] });
	}
	const rows = await ctx.db.sequelize.query<Row>(
		`SELECT id, date, starts_at, ends_at, capacity, booked + held AS taken, starts_at > :now AS open, version
		   FROM slots WHERE location_id = :locationId AND date BETWEEN :from AND :to ORDER BY starts_at`,
		{ replacements: { locationId, from, to, now: ctx.now().toISOString() }, type: QueryTypes.SELECT }
	);
	// R-S07 / R-C05: outside the citizens' window, or on a day the rules now close (a booked slot
	// kept after a rule change), a slot is shown as not open.
	const settings = await loadLocationSettings(ctx.db, locationId);
	const today = tokyoDateOf(ctx.now());
	let noteOf: (date: string) => DayNote | undefined = (date) => (date < today ? 'past' : undefined);
	if (settings) {
		const range = bookableRange(settings.window, 'citizen', ctx.now());
		const day = dayResolver(settings.rules);
		noteOf = (date) => (date < today ? 'past' : !day(date).open ? 'closed' : date < range.from || date > range.to ? 'outside' : undefined);
		const openDay = new Map<string, boolean>();
		for (const r of rows) {
			if (!openDay.has(r.date)) openDay.set(r.date, r.date >= range.from && r.date <= range.to && day(r.date).open);
			r.open = r.open && openDay.get(r.date)!;
		}
	}
	const byDate = new Map<string, Row[]>();
	let version = 0n;
	for (const r of rows) {
		const list = byDate.get(r.date);
		if (list) list.push(r);
		else byDate.set(r.date, [r]);
		version += BigInt(r.version);
	}
	const days: DayAvailability[] = [];
	for (let d = from; d <= to; d = addDays(d, 1)) {
		const level = dayLevel(byDate.get(d) ?? []);
		const note = level === 'closed' ? noteOf(d) : undefined;
		days.push(note ? { date: d, level, note } : { date: d, level });
	}
	return {
		locationId,
		from,
		to,
		days,
		slots: rows.map((r) => ({
			id: String(r.id),
			date: r.date,
			startsAt: tokyoIso(new Date(r.starts_at)),
			endsAt: tokyoIso(new Date(r.ends_at)),
			level: slotLevel(r)
		})),
		version: String(version)
	};
}

export async function monthAvailability(ctx: AppContext, locationId: number, month: string) {
	const dates = monthDates(month);
	const a = await availabilityRange(ctx, locationId, dates[0], dates[dates.length - 1]);
	return { locationId, month, days: a.days, version: a.version };
}

export async function listCitizenLocations(ctx: AppContext) {
	const rows = await ctx.db.models.Location.findAll({ where: { citizenBookable: true }, order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
	return rows.map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa, nameEn: l.nameEn, addressJa: l.addressJa }));
}
