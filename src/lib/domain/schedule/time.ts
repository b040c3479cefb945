/**
 * Calendar dates and times of day in Asia/Tokyo, as plain strings ('YYYY-MM-DD', 'HH:MM').
 *
 * Everything here is done on UTC fields with a fixed +09:00 shift, never with the local-time
 * getters of Date: the server, the test runner and a citizen's browser may all sit in other zones,
 * and Japan has had no daylight saving since 1951, so +09:00 is always right.
 */

/** 'YYYY-MM-DD', a calendar date in Tokyo */
export type DateStr = string;
/** 'HH:MM', a time of day in Tokyo, 00:00–23:59 */
export type TimeStr = string;

export const TOKYO_OFFSET = '+09:00';
const OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

function pad(n: number, width = 2): string {
	return String(n).padStart(width, '0');
}

/** A real calendar date: 2025-02-30 is refused, not rolled over into March. */
export function isDate(s: unknown): s is DateStr {
	if (typeof s !== 'string') return false;
	const m = DATE_RE.exec(s);
	if (!m) return false;
	const n = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
	return fromDayNumber(n) === s;
}

export function isTime(s: unknown): s is TimeStr {
	return typeof s === 'string' && TIME_RE.test(s);
}

/** Days since 1970-01-01; lets date arithmetic be integer arithmetic. */
export function dayNumber(date: DateStr): number {
	if (!isDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${String(date)}`);
	const [y, m, d] = date.split('-').map(Number);
	return Date.UTC(y, m - 1, d) / DAY_MS;
}

export function fromDayNumber(n: number): DateStr {
	const t = new Date(n * DAY_MS);
	return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

export function addDays(date: DateStr, days: number): DateStr {
	return fromDayNumber(dayNumber(date) + days);
}

/** b − a in days */
export function daysBetween(a: DateStr, b: DateStr): number {
	return dayNumber(b) - dayNumber(a);
}

/** 0 = Sunday … 6 = Saturday, the same wherever the process runs. */
export function weekday(date: DateStr): number {
	// 1970-01-01 was a Thursday (4)
	return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** Every date from `from` to `to`, both included; empty when from > to. */
export function datesBetween(from: DateStr, to: DateStr): DateStr[] {
	const out: DateStr[] = [];
	const end = dayNumber(to);
	for (let n = dayNumber(from); n <= end; n++) out.push(fromDayNumber(n));
	return out;
}

/** Every date of a month 'YYYY-MM'. */
export function monthDates(month: string): DateStr[] {
	const m = MONTH_RE.exec(month);
	if (!m) throw new RangeError(`not a month (YYYY-MM): ${month}`);
	const y = Number(m[1]);
	const mo = Number(m[2]);
	const first = Date.UTC(y, mo - 1, 1) / DAY_MS;
	const next = Date.UTC(y, mo, 1) / DAY_MS;
	const out: DateStr[] = [];
	for (let n = first; n < next; n++) out.push(fromDayNumber(n));
	return out;
}

export function timeToMinutes(time: TimeStr): number {
	const m = TIME_RE.exec(time);
	if (!m) throw new RangeError(`not a time (HH:MM): ${String(time)}`);
	return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes since midnight → 'HH:MM'; only 0..1439 is a time of day. */
export function minutesToTime(minutes: number): TimeStr {
	if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 24 * 60) {
		throw new RangeError(`not a minute of the day: ${minutes}`);
	}
	return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** '2027-01-12', '09:15' → '2027-01-12T09:15:00+09:00' (the public contract's time format) */
export function toIsoTokyo(date: DateStr, time: TimeStr): string {
	dayNumber(date);
	timeToMinutes(time);
	return `${date}T${time}:00${TOKYO_OFFSET}`;
}

/** The instant a Tokyo date and time of day denote. */
export function toInstant(date: DateStr, time: TimeStr): Date {
	return new Date(dayNumber(date) * DAY_MS + timeToMinutes(time) * 60_000 - OFFSET_MS);
}

/** The Tokyo calendar date at an instant. */
export function tokyoDate(now: Date): DateStr {
	return fromDayNumber(Math.floor((now.getTime() + OFFSET_MS) / DAY_MS));
}

/** Whole minutes since Tokyo midnight at an instant (seconds dropped). */
export function tokyoMinutes(now: Date): number {
	const ms = (((now.getTime() + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
	return Math.floor(ms / 60_000);
}

/** The Tokyo time of day 'HH:MM' at an instant (seconds dropped). */
export function tokyoTime(now: Date): TimeStr {
	return minutesToTime(tokyoMinutes(now));
}
