/**
 * A month of availability levels for the citizen calendar (R-C05): every date of the month,
 * each with one level and never a count.
 */
import { dayLevel, DEFAULT_LEVEL_SETTINGS, type CapacityState, type Level, type LevelSettings } from '../availability.ts';
import { monthDates, weekday, type DateStr } from './time.ts';

export interface DatedCapacity extends CapacityState {
	date: DateStr;
}

export interface CalendarDay {
	date: DateStr;
	/** 0 = Sunday … 6 = Saturday, so the view can lay out weeks without a Date */
	weekday: number;
	level: Level;
}

/**
 * `slots` carry their own `open` flag (inside the booking window, not started, location open);
 * a date with no open slot, or none at all, is 'closed' (— 受付なし).
 */
export function monthCalendar(
	month: string,
	slots: readonly DatedCapacity[],
	settings: LevelSettings = DEFAULT_LEVEL_SETTINGS
): CalendarDay[] {
	const byDate = new Map<string, DatedCapacity[]>();
	for (const s of slots) {
		const list = byDate.get(s.date);
		if (list) list.push(s);
		else byDate.set(s.date, [s]);
	}
	return monthDates(month).map((date) => ({
		date,
		weekday: weekday(date),
		level: dayLevel(byDate.get(date) ?? [], settings)
	}));
}
