import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import type { AvailabilityPush, BoardCounters, SlotsPush } from '../../realtime/events.ts';
import { dayTotalsRows, daysFromTotals, monthPush } from '../availability.ts';
import { LIVE_SLOT_COLUMNS, toStaffSlot, type SlotRow } from '../slots.ts';
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
 * R-L01 / R-C06 / R-L02: the states pushed after a location's slots changed on `dates`. The staff
 * days (their slots), the citizen months (per-day totals summed by Postgres, see
 * availability.ts dayTotalsRows), the location's settings and today's board counters are read at
 * once, so the time from commit to emit is one database round trip. Each room's state comes from
 * one statement; a later change is always followed by a later push (versions only grow). Plain
 * rows, no model instances: this runs after every commit.
 */
export async function livePushes(ctx: AppContext, locationId: number, dates: Iterable<string>): Promise<LivePushes> {
	const days = [...new Set(dates)].sort();
	if (days.length === 0) return { slots: [], months: [], board: null };
	const months = [...new Set(days.map((d) => d.slice(0, 7)))];
	const from = monthDates(months[0])[0];
	const to = monthDates(months[months.length - 1]).at(-1)!;
	const now = ctx.now();
	const today = tokyoDateOf(now);
	const [rows, totals, [place], board] = await Promise.all([
		ctx.db.sequelize.query<SlotRow>(`SELECT ${LIVE_SLOT_COLUMNS} FROM slots WHERE location_id = :locationId AND date IN (:days) ORDER BY starts_at`, {
			replacements: { locationId, days },
			type: QueryTypes.SELECT
		}),
		dayTotalsRows(ctx, locationId, from, to, now),
		ctx.db.sequelize.query<{ citizen_bookable: boolean } & { [K in keyof SettingsRow]: SettingsRow[K] | null }>(
			`SELECT l.citizen_bookable, s.* FROM locations l
			   LEFT JOIN (SELECT ${SETTINGS_COLUMNS} FROM location_schedules) s ON s.location_id = l.id
			  WHERE l.id = :locationId`,
			{ replacements: { locationId }, type: QueryTypes.SELECT }
		),
		days.includes(today) ? boardCounters(ctx, locationId, today) : null
	]);
	const slots = days.map((date) => ({ locationId, date, slots: rows.filter((r) => r.date === date).map(toStaffSlot) }));
	if (!place?.citizen_bookable) return { slots, months: [], board };
	const settings = place.location_id === null ? null : settingsFromRow(place as SettingsRow);
	const monthPushes = months.map((month) => {
		const range = monthDates(month);
		return monthPush(daysFromTotals(locationId, range[0], range[range.length - 1], totals, settings, now), month);
	});
	return { slots, months: monthPushes, board };
}
