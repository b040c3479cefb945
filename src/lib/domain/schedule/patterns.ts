/**
 * 開庁時間パターン: named opening hours a location uses on a day (R-S06).
 */
import { isTime, timeToMinutes, type TimeStr } from './time.ts';
import { MESSAGES, blank, nonNegativeInteger, type FieldError } from './validation.ts';

export const SLOT_LENGTHS = [10, 15, 20, 30, 60] as const;
export type SlotLength = (typeof SLOT_LENGTHS)[number];

export interface TimeRange {
	start: TimeStr;
	end: TimeStr;
}

export interface HoursPattern {
	id: string;
	nameJa: string;
	nameEn: string;
	open: TimeStr;
	close: TimeStr;
	/** 昼休み: no slot overlaps it. null when the counter stays open over lunch. */
	lunch: TimeRange | null;
	/** minutes; one of SLOT_LENGTHS */
	slotMinutes: number;
	/** places per slot; 0 means the pattern offers no slots */
	capacity: number;
}

/** The three patterns every location starts with; staff may edit or delete them. */
export const DEFAULT_PATTERNS: readonly HoursPattern[] = [
	{ id: 'normal', nameJa: '通常', nameEn: 'Normal', open: '08:45', close: '17:15', lunch: null, slotMinutes: 15, capacity: 2 },
	{ id: 'short', nameJa: '短縮', nameEn: 'Short', open: '09:00', close: '12:00', lunch: null, slotMinutes: 15, capacity: 2 },
	{ id: 'extended', nameJa: '延長', nameEn: 'Extended', open: '08:45', close: '19:00', lunch: null, slotMinutes: 15, capacity: 2 }
];

export function isSlotLength(n: unknown): n is SlotLength {
	return (SLOT_LENGTHS as readonly unknown[]).includes(n);
}

/**
 * Errors in the parts of a pattern that shape its slots (times, length, capacity). Slot
 * generation refuses a pattern with any of these, so a bad pattern can never yield bad slots.
 */
export function validateHours(p: Omit<HoursPattern, 'id' | 'nameJa' | 'nameEn'>): FieldError[] {
	const errors: FieldError[] = [];
	const openOk = isTime(p.open);
	const closeOk = isTime(p.close);
	if (!openOk) errors.push({ field: 'open', message: MESSAGES.time });
	if (!closeOk) errors.push({ field: 'close', message: MESSAGES.time });
	const hoursOk = openOk && closeOk && timeToMinutes(p.close) > timeToMinutes(p.open);
	if (openOk && closeOk && !hoursOk) errors.push({ field: 'close', message: MESSAGES.endAfterStart });

	if (p.lunch) {
		const startOk = isTime(p.lunch.start);
		const endOk = isTime(p.lunch.end);
		if (!startOk) errors.push({ field: 'lunch.start', message: MESSAGES.time });
		if (!endOk) errors.push({ field: 'lunch.end', message: MESSAGES.time });
		if (startOk && endOk) {
			const ls = timeToMinutes(p.lunch.start);
			const le = timeToMinutes(p.lunch.end);
			if (le <= ls) errors.push({ field: 'lunch.end', message: MESSAGES.endAfterStart });
			else if (hoursOk && (ls < timeToMinutes(p.open) || le > timeToMinutes(p.close))) {
				errors.push({ field: 'lunch.start', message: MESSAGES.lunchInside });
			}
		}
	}

	if (!isSlotLength(p.slotMinutes)) errors.push({ field: 'slotMinutes', message: MESSAGES.slotLength });
	if (!nonNegativeInteger(p.capacity)) errors.push({ field: 'capacity', message: MESSAGES.capacity });

	if (errors.length === 0 && slotStarts(p).length === 0) {
		errors.push({ field: 'slotMinutes', message: MESSAGES.noSlotFits });
	}
	return errors;
}

/** All errors of a pattern as staff edit it; an empty list means it can be saved. */
export function validatePattern(p: HoursPattern): FieldError[] {
	const errors: FieldError[] = [];
	if (blank(p.nameJa)) errors.push({ field: 'nameJa', message: MESSAGES.required });
	return errors.concat(validateHours(p));
}

/** Patterns of one location: each valid, and no two with the same Japanese name (staff pick by name). */
export function validatePatterns(patterns: readonly HoursPattern[]): FieldError[] {
	const errors: FieldError[] = [];
	const seen = new Set<string>();
	patterns.forEach((p, index) => {
		for (const e of validatePattern(p)) errors.push({ ...e, index });
		const name = typeof p.nameJa === 'string' ? p.nameJa.trim() : '';
		if (name !== '' && seen.has(name)) errors.push({ field: 'nameJa', message: MESSAGES.duplicateName, index });
		seen.add(name);
	});
	return errors;
}

/**
 * Start minutes of the slots a valid pattern yields: back to back from opening, restarting at the
 * end of lunch, and never a slot that would run past closing or into lunch.
 */
export function slotStarts(p: Pick<HoursPattern, 'open' | 'close' | 'lunch' | 'slotMinutes'>): number[] {
	const open = timeToMinutes(p.open);
	const close = timeToMinutes(p.close);
	const len = p.slotMinutes;
	// a zero or negative length would never advance
	if (!isSlotLength(len)) return [];
	const ls = p.lunch ? timeToMinutes(p.lunch.start) : null;
	const le = p.lunch ? timeToMinutes(p.lunch.end) : null;
	const starts: number[] = [];
	let t = open;
	while (t + len <= close) {
		if (ls !== null && le !== null && t < le && ls < t + len) {
			t = Math.max(t, le);
			continue;
		}
		starts.push(t);
		t += len;
	}
	return starts;
}
