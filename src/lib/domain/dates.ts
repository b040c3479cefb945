/**
 * Calendar dates are Asia/Tokyo dates written 'YYYY-MM-DD'. Japan has no daylight saving time,
 * so Tokyo is always UTC+9 and date arithmetic can be done on UTC midnights without a zone library.
 */
export const TOKYO_OFFSET_MS = 9 * 3600_000;

export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isValidDate(s: string): boolean {
	if (!DATE_RE.test(s)) return false;
	const d = new Date(`${s}T00:00:00Z`);
	return d.toISOString().slice(0, 10) === s;
}

export function tokyoDateOf(instant: Date): string {
	return new Date(instant.getTime() + TOKYO_OFFSET_MS).toISOString().slice(0, 10);
}

export function tokyoMonthOf(instant: Date): string {
	return tokyoDateOf(instant).slice(0, 7);
}

export function addDays(date: string, n: number): string {
	const d = new Date(`${date}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() + n);
	return d.toISOString().slice(0, 10);
}

export function addMonths(month: string, n: number): string {
	const [y, m] = month.split('-').map(Number);
	const d = new Date(Date.UTC(y, m - 1 + n, 1));
	return d.toISOString().slice(0, 7);
}

/** 0 = Sunday … 6 = Saturday, independent of the process's zone. */
export function weekdayOf(date: string): number {
	return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Every date of a 'YYYY-MM' month, in order. */
export function monthDates(month: string): string[] {
	const out: string[] = [];
	for (let d = `${month}-01`; d.startsWith(month); d = addDays(d, 1)) out.push(d);
	return out;
}
