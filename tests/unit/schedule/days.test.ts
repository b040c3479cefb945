import { describe, expect, it } from 'vitest';
import {
	DEFAULT_PATTERNS,
	DEFAULT_WEEKLY_PLAN,
	generateSlots,
	isNationalHoliday,
	isYearEndBreak,
	patternUsage,
	resolveDay,
	validateRules,
	type LocationRules
} from '../../../src/lib/domain/schedule/index.ts';

const base: LocationRules = {
	patterns: DEFAULT_PATTERNS,
	weekly: DEFAULT_WEEKLY_PLAN,
	dateExceptions: [],
	rangeExceptions: []
};

describe('which days are open', () => {
	it('R-S06 2027-01-11 成人の日 (a Monday) is closed by default as a national holiday', () => {
		expect(isNationalHoliday('2027-01-11')).toBe(true);
		expect(resolveDay(base, '2027-01-11')).toEqual({
			date: '2027-01-11',
			open: false,
			reason: 'holiday',
			holiday: { ja: '成人の日', en: 'Coming of Age Day' }
		});
		expect(generateSlots(base, '2027-01-11', '2027-01-11')).toEqual([]);
		// the next day is an ordinary Tuesday
		expect(resolveDay(base, '2027-01-12')).toMatchObject({ open: true, source: 'weekly', pattern: { id: 'normal' } });
	});

	it('R-S06 12/29–1/3 年末年始 is closed by default, even on weekdays', () => {
		// 2027-12-31 is a Friday, 2027-12-29 a Wednesday, 2028-01-03 a Monday
		for (const date of ['2027-12-29', '2027-12-30', '2027-12-31', '2028-01-03']) {
			expect(isYearEndBreak(date)).toBe(true);
			expect(resolveDay(base, date)).toMatchObject({ open: false });
		}
		expect(resolveDay(base, '2027-12-31')).toMatchObject({ reason: 'year_end' });
		expect(resolveDay(base, '2028-01-01')).toMatchObject({ reason: 'holiday', holiday: { ja: '元日' } });
		expect(generateSlots(base, '2027-12-29', '2028-01-03')).toEqual([]);
		expect(isYearEndBreak('2027-12-28')).toBe(false);
		expect(resolveDay(base, '2027-12-28')).toMatchObject({ open: true });
		expect(resolveDay(base, '2028-01-04')).toMatchObject({ open: true });
	});

	it('R-S06 an extra opening day on a holiday opens it with the named pattern', () => {
		const rules: LocationRules = { ...base, dateExceptions: [{ date: '2027-01-11', kind: 'open', patternId: 'short' }] };
		expect(resolveDay(rules, '2027-01-11')).toMatchObject({ open: true, source: 'extra_day', pattern: { id: 'short' } });
		const slots = generateSlots(rules, '2027-01-11', '2027-01-11');
		expect(slots).toHaveLength(12);
		expect(slots[0]).toEqual({
			date: '2027-01-11',
			start: '09:00',
			end: '09:15',
			startsAt: '2027-01-11T09:00:00+09:00',
			capacity: 2
		});
		expect(slots.at(-1)?.end).toBe('12:00');
	});

	it('R-S06 an extra opening day also opens 12/31 and a Sunday', () => {
		const rules: LocationRules = {
			...base,
			dateExceptions: [
				{ date: '2027-12-31', kind: 'open', patternId: 'normal' },
				{ date: '2027-02-07', kind: 'open', patternId: 'extended' }
			]
		};
		expect(generateSlots(rules, '2027-12-31', '2027-12-31')).toHaveLength(34);
		const sunday = generateSlots(rules, '2027-02-07', '2027-02-07');
		expect(sunday.at(-1)?.end).toBe('19:00');
	});

	it('R-S06 a closed day (臨時休業) closes an ordinary weekday', () => {
		const rules: LocationRules = { ...base, dateExceptions: [{ date: '2027-02-03', kind: 'closed', note: '停電' }] };
		expect(resolveDay(rules, '2027-02-03')).toMatchObject({ open: false, reason: 'closed_day' });
		expect(generateSlots(rules, '2027-02-02', '2027-02-04').map((s) => s.date)).not.toContain('2027-02-03');
	});

	it('R-S06 weekends follow the weekly plan: closed by default, open when a pattern is set', () => {
		expect(resolveDay(base, '2027-02-06')).toMatchObject({ open: false, reason: 'weekly' });
		const saturdays: LocationRules = { ...base, weekly: [null, 'normal', 'normal', 'normal', 'normal', 'normal', 'short'] };
		expect(resolveDay(saturdays, '2027-02-06')).toMatchObject({ open: true, pattern: { id: 'short' } });
	});

	it('R-S06 a day naming a deleted pattern stays closed and the rules report it', () => {
		const rules: LocationRules = { ...base, patterns: DEFAULT_PATTERNS.filter((p) => p.id !== 'normal') };
		expect(resolveDay(rules, '2027-02-03')).toMatchObject({ open: false, reason: 'unknown_pattern' });
		expect(validateRules(rules).filter((e) => e.field === 'weekly').map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
		expect(validateRules(base)).toEqual([]);
	});

	it('R-S06 patternUsage tells staff where a pattern is used before they delete it', () => {
		const rules: LocationRules = {
			...base,
			dateExceptions: [
				{ date: '2027-05-03', kind: 'open', patternId: 'short' },
				{ date: '2027-02-07', kind: 'open', patternId: 'short' }
			]
		};
		expect(patternUsage(rules, 'short')).toEqual({ weekdays: [], dates: ['2027-02-07', '2027-05-03'] });
		expect(patternUsage(rules, 'normal')).toEqual({ weekdays: [1, 2, 3, 4, 5], dates: [] });
	});

	it('R-S06 a time-range exception 13:00–14:00 capacity 1 lowers those slots; capacity 0 removes them', () => {
		const rules: LocationRules = {
			...base,
			rangeExceptions: [
				{ date: '2027-02-03', start: '13:00', end: '14:00', capacity: 1 },
				{ date: '2027-02-03', start: '16:00', end: '17:15', capacity: 0 }
			]
		};
		const slots = generateSlots(rules, '2027-02-03', '2027-02-03');
		const at = (start: string) => slots.find((s) => s.start === start)?.capacity;
		expect(at('12:45')).toBe(2);
		expect(['13:00', '13:15', '13:30', '13:45'].map(at)).toEqual([1, 1, 1, 1]);
		expect(at('14:00')).toBe(2);
		expect(slots.filter((s) => s.start >= '16:00')).toEqual([]);
		expect(slots.at(-1)?.end).toBe('16:00');
	});

	it('R-S06 lunch breaks are skipped and slots restart when lunch ends', () => {
		const rules: LocationRules = {
			...base,
			patterns: [{ ...DEFAULT_PATTERNS[0], slotMinutes: 20, lunch: { start: '12:00', end: '13:00' } }]
		};
		const slots = generateSlots(rules, '2027-02-03', '2027-02-03');
		const starts = slots.map((s) => s.start);
		// 08:45 + 20 min steps: the 11:45 slot would run into lunch, so the morning ends at 11:45
		expect(starts.filter((s) => s < '12:00').at(-1)).toBe('11:25');
		expect(starts).toContain('13:00');
		// 13:00 + 20 min steps: 16:40–17:00 is the last whole slot before 17:15
		expect(slots.at(-1)).toMatchObject({ start: '16:40', end: '17:00' });
	});
});
