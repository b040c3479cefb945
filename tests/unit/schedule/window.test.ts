import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bookableRange, isBookable, type Actor, type BookingWindow } from '../../../src/lib/domain/schedule/index.ts';

// --- a deliberately slow, obviously correct reading of R-S07 ----------------------------

const TOKYO = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Asia/Tokyo',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	hourCycle: 'h23'
});

/** Tokyo wall clock through Intl's time-zone database. */
function tokyoNow(now: Date): { date: string; minute: number } {
	const parts = TOKYO.formatToParts(now);
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return { date: `${get('year')}-${get('month')}-${get('day')}`, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function nextDay(date: string): string {
	return new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Walk forward one day at a time: how many days after today is `date`? */
function daysAhead(today: string, date: string): number {
	let k = 0;
	for (let d = today; d < date; d = nextDay(d)) k++;
	return k;
}

function lastDay(w: BookingWindow, today: string): string | null {
	if (w.maxMode === 'date') return w.maxDate;
	let d = today;
	for (let i = 0; i < w.maxDaysAhead; i++) d = nextDay(d);
	return d;
}

/** The date rule alone: may `actor` book on the day `k` days after today, judged at Tokyo minute `minute`? */
function dateAllowed(w: BookingWindow, actor: Actor, minute: number, last: string | null, date: string, k: number) {
	const min = actor === 'citizen' ? w.citizenMinDaysAhead : w.staffMinDaysAhead;
	if (k < min) return 'too_soon';
	const [h, m] = w.staffSameDayCutoff.split(':').map(Number);
	if (actor === 'staff' && k === 0 && minute >= h * 60 + m) return 'cutoff';
	if (last === null || date > last) return 'too_late';
	return true;
}

function referenceIsBookable(w: BookingWindow, actor: Actor, now: Date, date: string, start: string) {
	if (Date.parse(`${date}T${start}:00+09:00`) <= now.getTime()) return 'past';
	const { date: today, minute } = tokyoNow(now);
	return dateAllowed(w, actor, minute, lastDay(w, today), date, daysAhead(today, date));
}

function referenceRange(w: BookingWindow, actor: Actor, now: Date): { from: string; to: string } | null {
	const { date: today, minute } = tokyoNow(now);
	const last = lastDay(w, today);
	const allowed: string[] = [];
	let d = today;
	for (let k = 0; k <= 800; k++, d = nextDay(d)) if (dateAllowed(w, actor, minute, last, d, k) === true) allowed.push(d);
	return allowed.length ? { from: allowed[0], to: allowed[allowed.length - 1] } : null;
}

// --- arbitraries -------------------------------------------------------------------------

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const timeArb = fc.integer({ min: 0, max: 24 * 60 - 1 }).map(hhmm);
const actorArb = fc.constantFrom<Actor>('citizen', 'staff');

const windowArb: fc.Arbitrary<BookingWindow> = fc.record({
	citizenMinDaysAhead: fc.integer({ min: 0, max: 30 }),
	staffMinDaysAhead: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 })),
	staffSameDayCutoff: timeArb,
	maxMode: fc.constantFrom<'days' | 'date'>('days', 'date'),
	maxDaysAhead: fc.integer({ min: 0, max: 400 }),
	maxDate: fc.integer({ min: -10, max: 400 }).map((n) => new Date(Date.parse('2027-03-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10))
});

/** Milliseconds around an instant, with its exact edges (−1, 0, +1 ms) drawn often. */
const nearArb = fc.oneof(fc.integer({ min: -90_000, max: 90_000 }), fc.constantFrom(-60_000, -1, 0, 1, 59_999, 60_000));

/** Clock times anywhere in a few weeks, and right around Tokyo midnight and the cut-off. */
const nowArb = (w: BookingWindow): fc.Arbitrary<Date> =>
	fc.oneof(
		fc.date({ min: new Date('2027-02-20T00:00:00Z'), max: new Date('2027-03-10T00:00:00Z'), noInvalidDate: true }),
		fc.tuple(fc.integer({ min: 0, max: 20 }), nearArb).map(
			([day, ms]) => new Date(Date.parse(`2027-02-20T00:00:00+09:00`) + day * 86_400_000 + ms)
		),
		fc.tuple(fc.integer({ min: 0, max: 20 }), nearArb).map(
			([day, ms]) => new Date(Date.parse(`2027-02-20T${w.staffSameDayCutoff}:00+09:00`) + day * 86_400_000 + ms)
		)
	);

const caseArb = windowArb.chain((w) =>
	fc.record({
		w: fc.constant(w),
		actor: actorArb,
		now: nowArb(w),
		dayOffset: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 420 })),
		start: timeArb,
		/** when set, the slot starts this many minutes from now's Tokyo minute, today: the 'past' edge */
		nearNow: fc.option(fc.integer({ min: -2, max: 2 }), { nil: null })
	})
);

describe('booking window', () => {
	it('R-S07 isBookable agrees with a day-by-day reference for random settings and clock times', () => {
		fc.assert(
			fc.property(caseArb, ({ w, actor, now, dayOffset, start: randomStart, nearNow }) => {
				const { date: today, minute } = tokyoNow(now);
				let date = today;
				let start = randomStart;
				if (nearNow !== null) start = hhmm(Math.min(24 * 60 - 1, Math.max(0, minute + nearNow)));
				else {
					for (let i = 0; i < Math.abs(dayOffset); i++) {
						date = dayOffset > 0 ? nextDay(date) : new Date(Date.parse(`${date}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
					}
				}
				expect(isBookable(w, actor, now, date, start)).toBe(referenceIsBookable(w, actor, now, date, start));
			}),
			{ numRuns: 500 }
		);
	});

	it('R-S07 bookableRange agrees with a day-by-day reference, and is empty exactly when no day is allowed', () => {
		fc.assert(
			fc.property(caseArb, ({ w, actor, now }) => {
				const range = bookableRange(w, actor, now);
				const expected = referenceRange(w, actor, now);
				if (expected) expect(range).toEqual(expected);
				else expect(range.from > range.to).toBe(true);
			}),
			{ numRuns: 150 }
		);
	});

	it('R-S07 a slot inside the range is bookable unless it has started; outside it, never', () => {
		fc.assert(
			fc.property(caseArb, ({ w, actor, now, dayOffset, start }) => {
				const { from, to } = bookableRange(w, actor, now);
				let date = tokyoNow(now).date;
				for (let i = 0; i < Math.max(0, dayOffset); i++) date = nextDay(date);
				const result = isBookable(w, actor, now, date, start);
				if (result === 'past') return;
				expect(result === true).toBe(date >= from && date <= to);
			}),
			{ numRuns: 300 }
		);
	});

	const w: BookingWindow = {
		citizenMinDaysAhead: 2,
		staffMinDaysAhead: 0,
		staffSameDayCutoff: '16:00',
		maxMode: 'days',
		maxDaysAhead: 30,
		maxDate: null
	};
	const at = (iso: string) => new Date(iso);

	it('R-S07 citizens book from N days ahead; staff book the same day until the cut-off', () => {
		const morning = at('2027-02-03T10:00:00+09:00');
		expect(bookableRange(w, 'citizen', morning)).toEqual({ from: '2027-02-05', to: '2027-03-05' });
		expect(isBookable(w, 'citizen', morning, '2027-02-04', '09:00')).toBe('too_soon');
		expect(isBookable(w, 'citizen', morning, '2027-02-05', '09:00')).toBe(true);
		expect(bookableRange(w, 'staff', morning)).toEqual({ from: '2027-02-03', to: '2027-03-05' });
		expect(isBookable(w, 'staff', morning, '2027-02-03', '14:00')).toBe(true);
		expect(isBookable(w, 'staff', morning, '2027-02-03', '09:45')).toBe('past');

		const late = at('2027-02-03T16:00:00+09:00');
		expect(isBookable(w, 'staff', late, '2027-02-03', '16:30')).toBe('cutoff');
		expect(isBookable(w, 'staff', at('2027-02-03T15:59:59+09:00'), '2027-02-03', '16:30')).toBe(true);
		expect(bookableRange(w, 'staff', late).from).toBe('2027-02-04');
	});

	it('R-S07 the latest day is N days from today, or a fixed date', () => {
		const now = at('2027-02-03T10:00:00+09:00');
		expect(isBookable(w, 'citizen', now, '2027-03-05', '09:00')).toBe(true);
		expect(isBookable(w, 'citizen', now, '2027-03-06', '09:00')).toBe('too_late');
		const fixed: BookingWindow = { ...w, maxMode: 'date', maxDate: '2027-02-28' };
		expect(bookableRange(fixed, 'citizen', now)).toEqual({ from: '2027-02-05', to: '2027-02-28' });
		expect(isBookable(fixed, 'staff', now, '2027-03-01', '09:00')).toBe('too_late');
		expect(isBookable({ ...fixed, maxDate: null }, 'citizen', now, '2027-02-10', '09:00')).toBe('too_late');
	});

	it('R-S07 the Tokyo date decides, not the UTC one: 00:30 in Tokyo is already the next day', () => {
		// 2027-02-03T15:30Z is 2027-02-04 00:30 in Tokyo
		const now = at('2027-02-03T15:30:00Z');
		expect(bookableRange(w, 'citizen', now).from).toBe('2027-02-06');
		expect(isBookable(w, 'staff', now, '2027-02-03', '23:00')).toBe('past');
		expect(isBookable(w, 'staff', now, '2027-02-04', '09:00')).toBe(true);
	});
});
