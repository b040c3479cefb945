/**
 * A location's schedule rules and what they make of one date (R-S06, R-C05).
 */
import { validateDateExceptions, validateTimeRanges, type DateException, type TimeRangeException } from './exceptions.ts';
import { holidayName, isYearEndBreak } from './holidays.ts';
import { validateHours, validatePatterns, type HoursPattern } from './patterns.ts';
import { weekday, type DateStr } from './time.ts';
import { MESSAGES, type FieldError } from './validation.ts';

/** Index 0 = Sunday … 6 = Saturday: the id of the pattern used that weekday, or null when closed. */
export type WeeklyPlan = readonly (string | null)[];

export interface LocationRules {
	patterns: readonly HoursPattern[];
	weekly: WeeklyPlan;
	dateExceptions: readonly DateException[];
	rangeExceptions: readonly TimeRangeException[];
}

/** Weekdays on the normal pattern, weekends closed. */
export const DEFAULT_WEEKLY_PLAN: WeeklyPlan = [null, 'normal', 'normal', 'normal', 'normal', 'normal', null];

export type ClosedReason =
	| 'closed_day' // 臨時休業
	| 'holiday' // 祝日
	| 'year_end' // 年末年始
	| 'weekly' // closed on this weekday
	| 'unknown_pattern' // the plan names a pattern that no longer exists
	| 'invalid_pattern'; // the pattern cannot yield sound slots

export interface HolidayName {
	ja: string;
	en: string;
}

export type DayPlan =
	| { date: DateStr; open: true; pattern: HoursPattern; source: 'weekly' | 'extra_day'; holiday: HolidayName | null }
	| { date: DateStr; open: false; reason: ClosedReason; holiday: HolidayName | null };

/**
 * A resolver for many dates at once: the rules are indexed once instead of searched per day.
 * Order: 臨時休業 > 臨時開庁日 > holiday > year-end break > weekly plan. A date listed both closed
 * and open (refused by validation) resolves closed, the safer reading.
 */
export function dayResolver(rules: LocationRules): (date: DateStr) => DayPlan {
	const patterns = new Map(rules.patterns.map((p) => [p.id, p] as const));
	const closed = new Set<string>();
	const extra = new Map<string, string>();
	for (const e of rules.dateExceptions) {
		if (e.kind === 'closed') closed.add(e.date);
		else if (!extra.has(e.date)) extra.set(e.date, e.patternId);
	}

	const openWith = (date: DateStr, id: string, source: 'weekly' | 'extra_day', holiday: HolidayName | null): DayPlan => {
		const pattern = patterns.get(id);
		if (!pattern) return { date, open: false, reason: 'unknown_pattern', holiday };
		if (validateHours(pattern).length > 0) return { date, open: false, reason: 'invalid_pattern', holiday };
		return { date, open: true, pattern, source, holiday };
	};

	return (date) => {
		const holiday = holidayName(date);
		if (closed.has(date)) return { date, open: false, reason: 'closed_day', holiday };
		const extraId = extra.get(date);
		if (extraId !== undefined) return openWith(date, extraId, 'extra_day', holiday);
		if (holiday) return { date, open: false, reason: 'holiday', holiday };
		if (isYearEndBreak(date)) return { date, open: false, reason: 'year_end', holiday };
		const id = rules.weekly[weekday(date)] ?? null;
		if (id === null) return { date, open: false, reason: 'weekly', holiday };
		return openWith(date, id, 'weekly', holiday);
	};
}

export function resolveDay(rules: LocationRules, date: DateStr): DayPlan {
	return dayResolver(rules)(date);
}

/** Where a pattern is used, so staff see what deleting it would close. */
export function patternUsage(rules: LocationRules, patternId: string): { weekdays: number[]; dates: DateStr[] } {
	const weekdays: number[] = [];
	rules.weekly.forEach((id, wd) => {
		if (id === patternId) weekdays.push(wd);
	});
	const dates = rules.dateExceptions
		.filter((e) => e.kind === 'open' && e.patternId === patternId)
		.map((e) => e.date)
		.sort();
	return { weekdays, dates };
}

/** Every error in a location's rules; fields are prefixed with the part they belong to. */
export function validateRules(rules: LocationRules): FieldError[] {
	const errors: FieldError[] = [];
	const prefix = (part: string, list: FieldError[]) =>
		list.forEach((e) => errors.push({ ...e, field: `${part}.${e.field}` }));

	prefix('patterns', validatePatterns(rules.patterns));
	const ids = new Set(rules.patterns.map((p) => p.id));
	if (rules.weekly.length !== 7) errors.push({ field: 'weekly', message: MESSAGES.weeklyPlan });
	rules.weekly.forEach((id, index) => {
		if (id !== null && !ids.has(id)) errors.push({ field: 'weekly', message: MESSAGES.unknownPattern, index });
	});
	prefix('dateExceptions', validateDateExceptions(rules.dateExceptions));
	rules.dateExceptions.forEach((e, index) => {
		if (e.kind === 'open' && e.patternId && !ids.has(e.patternId)) {
			errors.push({ field: 'dateExceptions.patternId', message: MESSAGES.unknownPattern, index });
		}
	});
	prefix('rangeExceptions', validateTimeRanges(rules.rangeExceptions));
	return errors;
}
