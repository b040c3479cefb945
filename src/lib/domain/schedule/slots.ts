/**
 * Slot generation from a location's rules (R-S06): deterministic, so regenerating after a rule
 * change can be diffed against what is stored (see regenerate.ts).
 */
import { validateTimeRanges, type TimeRangeException } from './exceptions.ts';
import { slotStarts, validateHours, type HoursPattern } from './patterns.ts';
import { dayResolver, type LocationRules } from './rules.ts';
import { datesBetween, minutesToTime, timeToMinutes, toIsoTokyo, type DateStr, type TimeStr } from './time.ts';

export interface GeneratedSlot {
	date: DateStr;
	start: TimeStr;
	end: TimeStr;
	/** ISO 8601 with +09:00, e.g. '2027-01-12T09:15:00+09:00' */
	startsAt: string;
	capacity: number;
}

/**
 * The slots of one open day. A slot overlapping a time-range exception takes its capacity; where
 * it overlaps several (ranges not aligned to the slot grid) it takes the smallest, so an
 * exception can never be exceeded. Slots whose capacity comes out 0 are left out.
 */
export function slotsForDay(
	pattern: HoursPattern,
	date: DateStr,
	ranges: readonly TimeRangeException[] = []
): GeneratedSlot[] {
	if (validateHours(pattern).length > 0) return [];
	const len = pattern.slotMinutes;
	// malformed ranges are refused when saved (validateTimeRanges); here they must not crash or leak NaN
	const dayRanges = ranges
		.filter((r) => r.date === date && validateTimeRanges([r]).length === 0)
		.map((r) => ({ start: timeToMinutes(r.start), end: timeToMinutes(r.end), capacity: r.capacity }));
	const out: GeneratedSlot[] = [];
	for (const t of slotStarts(pattern)) {
		let capacity = pattern.capacity;
		let overridden = false;
		for (const r of dayRanges) {
			if (t < r.end && r.start < t + len) {
				capacity = overridden ? Math.min(capacity, r.capacity) : r.capacity;
				overridden = true;
			}
		}
		if (capacity <= 0) continue;
		const start = minutesToTime(t);
		out.push({ date, start, end: minutesToTime(t + len), startsAt: toIsoTokyo(date, start), capacity });
	}
	return out;
}

/** Every slot from `fromDate` to `toDate` (both included), ordered by date and start. */
export function generateSlots(rules: LocationRules, fromDate: DateStr, toDate: DateStr): GeneratedSlot[] {
	const resolve = dayResolver(rules);
	const rangesByDate = new Map<string, TimeRangeException[]>();
	for (const r of rules.rangeExceptions) {
		const list = rangesByDate.get(r.date);
		if (list) list.push(r);
		else rangesByDate.set(r.date, [r]);
	}
	const out: GeneratedSlot[] = [];
	for (const date of datesBetween(fromDate, toDate)) {
		const day = resolve(date);
		if (!day.open) continue;
		out.push(...slotsForDay(day.pattern, date, rangesByDate.get(date) ?? []));
	}
	return out;
}
