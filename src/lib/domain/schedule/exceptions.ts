/**
 * Settings per day and per time range that override a location's weekly plan (R-S06).
 */
import { isDate, isTime, timeToMinutes, type DateStr, type TimeStr } from './time.ts';
import { MESSAGES, blank, nonNegativeInteger, type FieldError } from './validation.ts';

/** 臨時休業 (closed) or 臨時開庁日 (open with the named pattern, even on a holiday). */
export type DateException =
	| { date: DateStr; kind: 'closed'; note?: string }
	| { date: DateStr; kind: 'open'; patternId: string; note?: string };

/** Within one day, slots overlapping [start, end) get this capacity; 0 removes them. */
export interface TimeRangeException {
	date: DateStr;
	start: TimeStr;
	end: TimeStr;
	capacity: number;
}

/** One exception per date: a day cannot be both closed and opened. */
export function validateDateExceptions(list: readonly DateException[]): FieldError[] {
	const errors: FieldError[] = [];
	const seen = new Set<string>();
	list.forEach((e, index) => {
		if (!isDate(e.date)) errors.push({ field: 'date', message: MESSAGES.date, index });
		else if (seen.has(e.date)) errors.push({ field: 'date', message: MESSAGES.duplicateDate, index });
		else seen.add(e.date);
		if (e.kind === 'open' && blank(e.patternId)) errors.push({ field: 'patternId', message: MESSAGES.required, index });
	});
	return errors;
}

/**
 * Each range well formed, and no two ranges of the same date overlapping: where they did, a slot
 * would have two capacities. Ranges that only touch (10:00–11:00, 11:00–12:00) are fine.
 */
export function validateTimeRanges(list: readonly TimeRangeException[]): FieldError[] {
	const errors: FieldError[] = [];
	const wellFormed: { index: number; date: string; start: number; end: number }[] = [];
	list.forEach((r, index) => {
		const before = errors.length;
		if (!isDate(r.date)) errors.push({ field: 'date', message: MESSAGES.date, index });
		if (!isTime(r.start)) errors.push({ field: 'start', message: MESSAGES.time, index });
		if (!isTime(r.end)) errors.push({ field: 'end', message: MESSAGES.time, index });
		else if (isTime(r.start) && timeToMinutes(r.end) <= timeToMinutes(r.start)) {
			errors.push({ field: 'end', message: MESSAGES.endAfterStart, index });
		}
		if (!nonNegativeInteger(r.capacity)) errors.push({ field: 'capacity', message: MESSAGES.capacity, index });
		if (errors.length === before) {
			wellFormed.push({ index, date: r.date, start: timeToMinutes(r.start), end: timeToMinutes(r.end) });
		}
	});
	const flagged = new Set<number>();
	for (let i = 0; i < wellFormed.length; i++) {
		for (let j = i + 1; j < wellFormed.length; j++) {
			const a = wellFormed[i];
			const b = wellFormed[j];
			if (a.date === b.date && a.start < b.end && b.start < a.end) {
				flagged.add(a.index);
				flagged.add(b.index);
			}
		}
	}
	for (const index of [...flagged].sort((x, y) => x - y)) {
		errors.push({ field: 'start', message: MESSAGES.overlap, index });
	}
	return errors;
}
