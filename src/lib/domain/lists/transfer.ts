/**
 * 回送リスト (R-S11): the day a card must leave its storage location to reach the issuing
 * location in time.
 *
 * Lead days count the days the storage location is open (it is the one that sends): going back
 * from the visit date, each open day before it counts one, and the card must leave on the day the
 * count reaches the lead days. Closed days (weekends, holidays, 年末年始, 臨時休業) are skipped.
 * With 0 lead days the card leaves on the visit day itself, or the last open day before it.
 */
import { addDays, type DateStr } from '../schedule/time.ts';

/** Never search further back than this for an open day; a location closed that long has no sending day. */
export const SEARCH_LIMIT_DAYS = 366;

export function shipByDate(visitDate: DateStr, leadDays: number, isOpen: (date: DateStr) => boolean): DateStr {
	if (!Number.isInteger(leadDays) || leadDays < 0) throw new RangeError(`lead days must be a whole number ≥ 0: ${leadDays}`);
	let d = visitDate;
	let remaining = leadDays;
	for (let step = 0; step < SEARCH_LIMIT_DAYS; step++) {
		if (remaining === 0 && isOpen(d)) return d;
		d = addDays(d, -1);
		if (remaining > 0 && isOpen(d)) {
			remaining--;
			if (remaining === 0) return d;
		}
	}
	// No open day found: plain calendar days, so the list still says something sensible.
	return addDays(visitDate, -leadDays);
}

/** Lead days for a pair of locations: the pair's own setting, else the city default. */
export function leadDaysFor(pairs: ReadonlyMap<string, number>, fromLocationId: number, toLocationId: number, fallback: number): number {
	return pairs.get(pairKey(fromLocationId, toLocationId)) ?? fallback;
}

export const pairKey = (from: number, to: number) => `${from}>${to}`;
