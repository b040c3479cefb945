import type { AppContext } from '../context.ts';
import type { AvailabilityPush, BoardCounters, SlotsPush } from '../../realtime/events.ts';
import { dayTotalsSql, daysFromTotals, monthPush, type DayTotalsRow } from '../scheduling/availability.ts';
import { toStaffSlot, type SlotRecord } from '../scheduling/capacity.ts';
import { boardCounters } from '../board/counters.ts';
import { SETTINGS_COLUMNS, settingsFromRow, type SettingsRow } from '../scheduling/settings-read.ts';
import { monthDates, tokyoDateOf } from '../../domain/dates.ts';

/** What the rooms of one location receive after its slots changed on some days. */
export interface LivePushes {
	/** one per changed day, for `/staff` (counts and versions, R-L01) */
	slots: SlotsPush[];
	/** one per month of those days, for `/public` (levels only, R-C05); none if citizens may not book here */
	months: AvailabilityPush[];
	/** today's counters for `/board` when today is among the days (R-L02) */
	board: BoardCounters | null;
}

/**
 * The live read: a changed day's slots for `/staff`, the per-day totals of the months for `/public`
 * (availability.ts dayTotalsSql) and the location's settings, in one statement (one snapshot, one
 * round trip) on the live path's own connections (db.live), returned as JSON.
 */
const LIVE_READ = `
	SELECT
	  (SELECT coalesce(json_agg(x ORDER BY x.starts_at, x.id), '[]'::json) FROM (
	     SELECT id::text AS id, location_id, date::text AS date,
	            extract(epoch FROM starts_at)::float8 * 1000 AS starts_at, extract(epoch FROM ends_at)::float8 * 1000 AS ends_at,
	            capacity, booked, held, checked_in, version::text AS version
	       FROM slots WHERE location_id = $1 AND date = ANY ($2::date[])) x) AS rows,
	  (SELECT coalesce(json_agg(t), '[]'::json) FROM (${dayTotalsSql('$1', '$3::date', '$4::date', '$5::timestamptz')}) t) AS totals,
	  (SELECT row_to_json(p) FROM (
	     SELECT l.citizen_bookable, s.* FROM locations l
	       LEFT JOIN (SELECT ${SETTINGS_COLUMNS} FROM location_schedules) s ON s.location_id = l.id
	      WHERE l.id = $1) p) AS place`;

type Place = { citizen_bookable: boolean } & { [K in keyof SettingsRow]: SettingsRow[K] | null };

/**
 * R-L01 / R-C06 / R-L02: the states pushed after a location's slots changed on `dates`: the staff
 * days, the citizen months and today's counters for the board (read beside it when today changed),
 * so the time from commit to emit is one database round trip, never queued behind requests. Each
 * room's state comes from one snapshot; a later change is always followed by a later push
 * (versions only grow). Plain rows, no model instances: this runs after every commit.
 */
export async function livePushes(ctx: AppContext, locationId: number, dates: Iterable<string>): Promise<LivePushes> {
	const days = [...new Set(dates)].sort();
	if (days.length === 0) return { slots: [], months: [], board: null };
	const months = [...new Set(days.map((d) => d.slice(0, 7)))];
	const from = monthDates(months[0])[0];
	const to = monthDates(months[months.length - 1]).at(-1)!;
	const now = ctx.now();
	const today = tokyoDateOf(now);
	const [[read], board] = await Promise.all([
		ctx.db.live<{ rows: SlotRecord[]; totals: DayTotalsRow[]; place: Place | null }>('live_read', LIVE_READ, [locationId, days, from, to, now.toISOString()]),
		days.includes(today) ? boardCounters(ctx, locationId, today) : null
	]);
	const slots = days.map((date) => ({ locationId, date, slots: read.rows.filter((r) => r.date === date).map(toStaffSlot) }));
	const place = read.place;
	if (!place?.citizen_bookable) return { slots, months: [], board };
	const settings = place.location_id === null ? null : settingsFromRow(place as SettingsRow);
	const monthPushes = months.map((month) => {
		const range = monthDates(month);
		return monthPush(daysFromTotals(locationId, range[0], range[range.length - 1], read.totals, settings, now), month);
	});
	return { slots, months: monthPushes, board };
}
