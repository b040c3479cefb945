/**
 * R-C10: what the citizen may choose when moving a booking through the manage link — the
 * citizen-bookable locations offering the booking's purpose, a month of day levels, and the
 * day's times, each only enabled or not (R-C05: counts stay on the server). A time is enabled
 * when every slot the visit takes has room for the whole party, counting the places this booking
 * already holds in its own slots as free (they are given back by the move).
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import type { Level } from '../../domain/availability.ts';
import type { DayLevel } from '../../realtime/events.ts';
import { addMonths, tokyoMonthOf } from '../../domain/dates.ts';
import { findConsecutiveSlots, tokyoTime } from '../../domain/schedule/index.ts';
import { availabilityRange, listCitizenLocations, monthAvailability } from '../scheduling/availability.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import { resolveManageToken, viewManaged, type ManagedReservation } from './manage.ts';

export interface MoveTime {
	id: string;
	startsAt: string;
	endsAt: string;
	level: Level;
	enabled: boolean;
	/** the time the booking has now */
	current: boolean;
}

export interface MoveChoices {
	view: ManagedReservation;
	locations: { id: number; nameJa: string; nameEn: string; addressJa: string; addressEn: string }[];
	locationId: number | null;
	month: string;
	prevMonth: string | null;
	nextMonth: string | null;
	days: DayLevel[];
	date: string | null;
	times: MoveTime[];
	/** the time asked for in the confirm step, when it is one that can be chosen */
	chosen: MoveTime | null;
}

export interface MoveQuery {
	locationId?: number;
	month?: string;
	date?: string;
	slotId?: string;
}

const MONTHS_AHEAD = 6;

export async function moveChoices(ctx: AppContext, token: string, q: MoveQuery): Promise<MoveChoices> {
	const view = await viewManaged(ctx, token);
	const all = await listCitizenLocations(ctx);
	const offering = await Promise.all(all.map(async (l) => ({ l, s: await loadBookingSettings(ctx.db, l.id) })));
	const usable = offering.filter((o) => o.s.purposes.some((p) => p.id === view.purpose.id));
	const locations = usable.map((o) => o.l);
	const chosen = usable.find((o) => o.l.id === q.locationId) ?? usable.find((o) => o.l.id === view.location.id) ?? usable[0];

	const current = tokyoMonthOf(ctx.now());
	const last = addMonths(current, MONTHS_AHEAD);
	const asked = q.date ? q.date.slice(0, 7) : (q.month ?? view.date.slice(0, 7));
	const month = asked >= current && asked <= last ? asked : current;
	const base = { view, locations, month, prevMonth: month > current ? addMonths(month, -1) : null, nextMonth: month < last ? addMonths(month, 1) : null };
	if (!chosen) return { ...base, locationId: null, days: [], date: null, times: [], chosen: null };

	const locationId = chosen.l.id;
	const { days } = await monthAvailability(ctx, locationId, month);
	const date = q.date && q.date.slice(0, 7) === month ? q.date : null;
	if (!date) return { ...base, locationId, days, date: null, times: [], chosen: null };

	const duration = chosen.s.purposes.find((p) => p.id === view.purpose.id)!.durationSlots;
	const times = await dayTimes(ctx, token, view, locationId, date, duration);
	return { ...base, locationId, days, date, times, chosen: times.find((x) => x.id === q.slotId && x.enabled) ?? null };
}

async function dayTimes(ctx: AppContext, token: string, view: ManagedReservation, locationId: number, date: string, duration: number): Promise<MoveTime[]> {
	const { id: reservationId } = await resolveManageToken(ctx, token);
	const [levels, rows, own] = await Promise.all([
		availabilityRange(ctx, locationId, date, date),
		ctx.db.sequelize.query<{ id: string; starts_at: Date; ends_at: Date; capacity: number; booked: number; held: number }>(
			`SELECT id, starts_at, ends_at, capacity, booked, held FROM slots WHERE location_id = :locationId AND date = :date ORDER BY starts_at`,
			{ replacements: { locationId, date }, type: QueryTypes.SELECT }
		),
		ctx.db.sequelize.query<{ slot_id: string }>(`SELECT slot_id FROM reservation_slots WHERE reservation_id = :reservationId`, {
			replacements: { reservationId },
			type: QueryTypes.SELECT
		})
	]);
	const mine = new Set(own.map((o) => String(o.slot_id)));
	const level = new Map(levels.slots.map((s) => [s.id, s]));
	const slots = rows.map((r) => {
		const id = String(r.id);
		const free = r.capacity - r.booked - r.held + (mine.has(id) && view.status === 'active' ? view.partySize : 0);
		const l = level.get(id);
		return { id, date, start: tokyoTime(new Date(r.starts_at)), end: tokyoTime(new Date(r.ends_at)), free, level: l?.level ?? 'closed', startsAt: l?.startsAt ?? '', endsAt: l?.endsAt ?? '' };
	});
	return slots.map((s) => {
		const run = findConsecutiveSlots(slots, s, duration);
		const current = run.ok && run.slots.length === mine.size && run.slots.every((x) => mine.has(x.id));
		const fits = run.ok && run.slots.every((x) => x.level !== 'closed' && x.free >= view.partySize);
		const endsAt = run.ok ? run.slots[run.slots.length - 1].endsAt : s.endsAt;
		return { id: s.id, startsAt: s.startsAt, endsAt, level: s.level as Level, enabled: view.canChange && fits && !current, current };
	});
}
