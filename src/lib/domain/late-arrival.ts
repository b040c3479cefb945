/**
 * R-L02: when a booked visitor counts as not yet arrived (未来庁) on the wall board. The no-show
 * job marks visits 未来庁 only after closing; during the day a booked visit that is still not
 * checked in once its slot has ended plus the city's late-arrival minutes is counted already.
 * Pure: the clock and the minutes are arguments.
 */
export interface BookedVisit {
	/** the end of the visit's (last) slot */
	endsAt: Date | string;
	/** 'active' is a booking still to be served; others (cancelled, completed, no_show) are not counted here */
	status: string;
	checkedIn: boolean;
	/** persons of the visit still booked (a count is of persons, as the board counts places) */
	persons: number;
}

/** The moment from which a visit not checked in counts as not arrived. */
export function lateFrom(endsAt: Date | string, lateMinutes: number): Date {
	return new Date(new Date(endsAt).getTime() + Math.max(0, lateMinutes) * 60_000);
}

export function isNotArrived(v: BookedVisit, lateMinutes: number, now: Date): boolean {
	return v.status === 'active' && !v.checkedIn && now.getTime() >= lateFrom(v.endsAt, lateMinutes).getTime();
}

/** Persons of the visits that count as not arrived at `now`. */
export function countNotArrived(visits: readonly BookedVisit[], lateMinutes: number, now: Date): number {
	let n = 0;
	for (const v of visits) if (isNotArrived(v, lateMinutes, now)) n += v.persons;
	return n;
}

/**
 * How many of the given slot ends have passed their late-arrival moment: grows with the clock
 * only, so adding it to the board's version keeps versions growing when the count changes by time.
 */
export function lateMomentsPassed(slotEnds: readonly (Date | string)[], lateMinutes: number, now: Date): number {
	let n = 0;
	for (const e of slotEnds) if (now.getTime() >= lateFrom(e, lateMinutes).getTime()) n++;
	return n;
}
