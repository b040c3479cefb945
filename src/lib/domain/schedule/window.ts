/**
 * Booking window per location (R-S07): how soon and how far ahead citizens and staff may book.
 * `now` is always an argument so the rule can be tested at any clock time.
 */
import { addDays, isDate, isTime, toInstant, tokyoDate, type DateStr, type TimeStr } from './time.ts';
import { MESSAGES, nonNegativeInteger, type FieldError } from './validation.ts';

export type Actor = 'citizen' | 'staff';

export interface BookingWindow {
	/** earliest bookable day for citizens: today + N */
	citizenMinDaysAhead: number;
	/** earliest bookable day for staff: today + N; 0 allows the same day, until the cut-off */
	staffMinDaysAhead: number;
	/** same-day staff booking is allowed only strictly before this Tokyo time */
	staffSameDayCutoff: TimeStr;
	/** latest bookable day: today + maxDaysAhead ('days') or the fixed maxDate ('date') */
	maxMode: 'days' | 'date';
	maxDaysAhead: number;
	maxDate: DateStr | null;
}

export const DEFAULT_BOOKING_WINDOW: BookingWindow = {
	citizenMinDaysAhead: 2,
	staffMinDaysAhead: 0,
	staffSameDayCutoff: '16:00',
	maxMode: 'days',
	maxDaysAhead: 60,
	maxDate: null
};

export type NotBookable = 'past' | 'too_soon' | 'too_late' | 'cutoff';

/** Tokyo dates, both included. from > to means nothing is bookable. */
export interface DateRange {
	from: DateStr;
	to: DateStr;
}

function minDays(w: BookingWindow, actor: Actor): number {
	const n = actor === 'citizen' ? w.citizenMinDaysAhead : w.staffMinDaysAhead;
	// validateWindow refuses anything else; here a stray value must still give a whole day count
	return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

function earliest(w: BookingWindow, actor: Actor, now: Date): DateStr {
	const today = tokyoDate(now);
	const min = minDays(w, actor);
	if (min === 0 && actor === 'staff' && pastCutoff(w, now)) return addDays(today, 1);
	return addDays(today, min);
}

function pastCutoff(w: BookingWindow, now: Date): boolean {
	// an unreadable cut-off closes same-day booking rather than opening it all day
	if (!isTime(w.staffSameDayCutoff)) return true;
	return now.getTime() >= toInstant(tokyoDate(now), w.staffSameDayCutoff).getTime();
}

/** null when the window names no usable latest day; nothing is then bookable. */
function latest(w: BookingWindow, now: Date): DateStr | null {
	if (w.maxMode === 'date') return isDate(w.maxDate) ? w.maxDate : null;
	return nonNegativeInteger(w.maxDaysAhead) ? addDays(tokyoDate(now), w.maxDaysAhead) : null;
}

/** The dates an actor may book at `now`; within them a slot still must not have started. */
export function bookableRange(w: BookingWindow, actor: Actor, now: Date): DateRange {
	const from = earliest(w, actor, now);
	return { from, to: latest(w, now) ?? addDays(from, -1) };
}

/** true, or why not: a slot that has started is 'past' whatever else holds. */
export function isBookable(
	w: BookingWindow,
	actor: Actor,
	now: Date,
	slotDate: DateStr,
	slotStart: TimeStr
): true | NotBookable {
	if (toInstant(slotDate, slotStart).getTime() <= now.getTime()) return 'past';
	const today = tokyoDate(now);
	if (slotDate < addDays(today, minDays(w, actor))) return 'too_soon';
	if (actor === 'staff' && slotDate === today && pastCutoff(w, now)) return 'cutoff';
	const to = latest(w, now);
	if (to === null || slotDate > to) return 'too_late';
	return true;
}

export function validateWindow(w: BookingWindow): FieldError[] {
	const errors: FieldError[] = [];
	if (!nonNegativeInteger(w.citizenMinDaysAhead)) {
		errors.push({ field: 'citizenMinDaysAhead', message: MESSAGES.nonNegativeInteger });
	}
	if (!nonNegativeInteger(w.staffMinDaysAhead)) {
		errors.push({ field: 'staffMinDaysAhead', message: MESSAGES.nonNegativeInteger });
	}
	if (!isTime(w.staffSameDayCutoff)) errors.push({ field: 'staffSameDayCutoff', message: MESSAGES.time });
	if (w.maxMode === 'days') {
		if (!nonNegativeInteger(w.maxDaysAhead)) errors.push({ field: 'maxDaysAhead', message: MESSAGES.nonNegativeInteger });
	} else if (w.maxMode === 'date') {
		if (!isDate(w.maxDate)) errors.push({ field: 'maxDate', message: MESSAGES.date });
	} else {
		errors.push({ field: 'maxMode', message: MESSAGES.maxMode });
	}
	return errors;
}
