import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	DEFAULT_PATTERNS,
	DEFAULT_BOOKING_WINDOW,
	validateDateExceptions,
	validatePattern,
	validatePatterns,
	validateTimeRanges,
	validateWindow,
	type HoursPattern,
	type TimeRangeException
} from '../../../src/lib/domain/schedule/index.ts';

const normal: HoursPattern = { ...DEFAULT_PATTERNS[0] };
const messagesFor = (errors: { field: string; message: string }[], field: string) =>
	errors.filter((e) => e.field === field).map((e) => e.message);

describe('hours pattern validation', () => {
	it('R-S06 the three default patterns 通常・短縮・延長 are valid and have the agreed hours', () => {
		expect(DEFAULT_PATTERNS.map((p) => [p.nameJa, p.open, p.close, p.lunch])).toEqual([
			['通常', '08:45', '17:15', null],
			['短縮', '09:00', '12:00', null],
			['延長', '08:45', '19:00', null]
		]);
		expect(validatePatterns(DEFAULT_PATTERNS)).toEqual([]);
	});

	it('R-S06 closing before opening is refused with a Japanese message on the close field', () => {
		const errors = validatePattern({ ...normal, open: '17:00', close: '09:00' });
		expect(messagesFor(errors, 'close')).toEqual(['終了時刻は開始時刻より後にしてください']);
		expect(validatePattern({ ...normal, open: '09:00', close: '09:00' })).toContainEqual({
			field: 'close',
			message: '終了時刻は開始時刻より後にしてください'
		});
	});

	it('R-S06 a lunch break outside opening hours, or ending before it starts, is refused', () => {
		expect(validatePattern({ ...normal, lunch: { start: '08:00', end: '09:00' } })).toEqual([
			{ field: 'lunch.start', message: '休憩時間は開庁時間内にしてください' }
		]);
		expect(validatePattern({ ...normal, lunch: { start: '17:00', end: '18:00' } })).toEqual([
			{ field: 'lunch.start', message: '休憩時間は開庁時間内にしてください' }
		]);
		expect(validatePattern({ ...normal, lunch: { start: '13:00', end: '12:00' } })).toEqual([
			{ field: 'lunch.end', message: '終了時刻は開始時刻より後にしてください' }
		]);
		expect(validatePattern({ ...normal, lunch: { start: '12:00', end: '13:00' } })).toEqual([]);
	});

	it('R-S06 only slot lengths of 10, 15, 20, 30 or 60 minutes are allowed', () => {
		for (const slotMinutes of [10, 15, 20, 30, 60]) expect(validatePattern({ ...normal, slotMinutes })).toEqual([]);
		for (const slotMinutes of [0, -15, 5, 25, 45, 90, 15.5, Number.NaN]) {
			expect(messagesFor(validatePattern({ ...normal, slotMinutes }), 'slotMinutes')).toEqual([
				'枠の長さは 10・15・20・30・60 分のいずれかにしてください'
			]);
		}
	});

	it('R-S06 capacity must be an integer of 0 or more', () => {
		expect(validatePattern({ ...normal, capacity: 0 })).toEqual([]);
		for (const capacity of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
			expect(validatePattern({ ...normal, capacity })).toEqual([{ field: 'capacity', message: '定員は 0 以上の整数にしてください' }]);
		}
	});

	it('R-S06 times not written HH:MM are refused field by field', () => {
		const errors = validatePattern({ ...normal, open: '8:45', close: '25:00', lunch: { start: '12', end: '13:00' } });
		expect(errors).toEqual([
			{ field: 'open', message: '時刻は HH:MM の形式で入力してください' },
			{ field: 'close', message: '時刻は HH:MM の形式で入力してください' },
			{ field: 'lunch.start', message: '時刻は HH:MM の形式で入力してください' }
		]);
	});

	it('R-S06 a pattern with no room for a single slot, or without a name, is refused', () => {
		expect(validatePattern({ ...normal, open: '09:00', close: '09:45', slotMinutes: 60 })).toEqual([
			{ field: 'slotMinutes', message: '開庁時間内に枠が1つも入りません' }
		]);
		expect(validatePattern({ ...normal, nameJa: '  ' })).toEqual([{ field: 'nameJa', message: '入力してください' }]);
	});

	it('R-S06 two patterns of a location cannot share a name', () => {
		const errors = validatePatterns([normal, { ...normal, id: 'copy' }]);
		expect(errors).toEqual([{ field: 'nameJa', message: '同じ名称のパターンがあります', index: 1 }]);
	});
});

describe('time-range exception validation', () => {
	const range = (start: string, end: string, capacity = 1, date = '2027-02-03'): TimeRangeException => ({
		date,
		start,
		end,
		capacity
	});

	it('R-S06 overlapping time ranges within a day are refused with 時間帯が重複しています', () => {
		const errors = validateTimeRanges([range('13:00', '14:00'), range('13:30', '15:00', 0)]);
		expect(errors).toEqual([
			{ field: 'start', message: '時間帯が重複しています', index: 0 },
			{ field: 'start', message: '時間帯が重複しています', index: 1 }
		]);
	});

	it('R-S06 ranges that only touch, or lie on different dates, are accepted', () => {
		expect(validateTimeRanges([range('13:00', '14:00'), range('14:00', '15:00')])).toEqual([]);
		expect(validateTimeRanges([range('13:00', '14:00'), range('13:00', '14:00', 1, '2027-02-04')])).toEqual([]);
	});

	it('R-S06 a range must end after it starts and have an integer capacity of 0 or more', () => {
		expect(validateTimeRanges([range('14:00', '13:00')])).toEqual([
			{ field: 'end', message: '終了時刻は開始時刻より後にしてください', index: 0 }
		]);
		expect(validateTimeRanges([range('13:00', '14:00', -1)])).toEqual([
			{ field: 'capacity', message: '定員は 0 以上の整数にしてください', index: 0 }
		]);
	});

	it('R-S06 the overlap check agrees with a minute-by-minute reference for random ranges', () => {
		const minuteArb = fc.integer({ min: 8 * 60, max: 18 * 60 });
		const rangeArb = fc
			.tuple(fc.constantFrom('2027-02-03', '2027-02-04'), minuteArb, fc.integer({ min: 1, max: 180 }))
			.map(([date, start, len]) => ({ date, start, end: Math.min(start + len, 23 * 60 + 59) }));
		const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
		fc.assert(
			fc.property(fc.array(rangeArb, { maxLength: 5 }), (raw) => {
				const ranges = raw.map((r) => range(hhmm(r.start), hhmm(r.end), 1, r.date));
				const used = new Map<string, number[]>();
				raw.forEach((r, i) => {
					for (let m = r.start; m < r.end; m++) {
						const k = `${r.date} ${m}`;
						used.set(k, [...(used.get(k) ?? []), i]);
					}
				});
				const expected = new Set<number>();
				for (const owners of used.values()) if (owners.length > 1) owners.forEach((i) => expected.add(i));
				const flagged = validateTimeRanges(ranges).filter((e) => e.message === '時間帯が重複しています');
				expect(flagged.map((e) => e.index)).toEqual([...expected].sort((a, b) => a - b));
			}),
			{ numRuns: 300 }
		);
	});
});

describe('date exceptions and booking window validation', () => {
	it('R-S06 a date cannot be both 臨時休業 and 臨時開庁日', () => {
		expect(
			validateDateExceptions([
				{ date: '2027-01-11', kind: 'open', patternId: 'short' },
				{ date: '2027-01-11', kind: 'closed' }
			])
		).toEqual([{ field: 'date', message: '同じ日付の設定が重複しています', index: 1 }]);
	});

	it('R-S07 booking window settings are checked field by field', () => {
		expect(validateWindow(DEFAULT_BOOKING_WINDOW)).toEqual([]);
		expect(
			validateWindow({ ...DEFAULT_BOOKING_WINDOW, citizenMinDaysAhead: -1, staffSameDayCutoff: '1600', maxMode: 'date', maxDate: null })
		).toEqual([
			{ field: 'citizenMinDaysAhead', message: '0 以上の整数にしてください' },
			{ field: 'staffSameDayCutoff', message: '時刻は HH:MM の形式で入力してください' },
			{ field: 'maxDate', message: '日付は YYYY-MM-DD の形式で入力してください' }
		]);
	});
});
