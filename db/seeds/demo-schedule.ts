import {
	DEFAULT_BOOKING_WINDOW,
	DEFAULT_WEEKLY_PLAN,
	type HoursPattern,
	type LocationRules
} from '../../src/lib/domain/schedule/index.ts';

/**
 * The demo city's schedule: the main office (index 0) opens 08:45–17:15 in 15-minute slots of 4
 * places and stays open late on Thursdays; the branches open 09:00–17:00 in 30-minute slots with
 * a lunch break, 3 and 2 places. Citizens book from the day after tomorrow (R-S07), staff from today.
 */
export function demoSchedule(locationId: number, index: number, days: number) {
	const main = index === 0;
	const capacity = main ? 4 : index === 1 ? 3 : 2;
	const patterns: HoursPattern[] = main
		? [
				{ id: 'normal', nameJa: '通常', nameEn: 'Normal', open: '08:45', close: '17:15', lunch: null, slotMinutes: 15, capacity },
				{ id: 'short', nameJa: '短縮', nameEn: 'Short', open: '09:00', close: '12:00', lunch: null, slotMinutes: 15, capacity },
				{ id: 'extended', nameJa: '延長', nameEn: 'Extended', open: '08:45', close: '19:00', lunch: null, slotMinutes: 15, capacity }
			]
		: [
				{ id: 'normal', nameJa: '通常', nameEn: 'Normal', open: '09:00', close: '17:00', lunch: { start: '12:00', end: '13:00' }, slotMinutes: 30, capacity },
				{ id: 'short', nameJa: '短縮', nameEn: 'Short', open: '09:00', close: '12:00', lunch: null, slotMinutes: 30, capacity },
				{ id: 'extended', nameJa: '延長', nameEn: 'Extended', open: '09:00', close: '19:00', lunch: { start: '12:00', end: '13:00' }, slotMinutes: 30, capacity }
			];
	const weekly: LocationRules['weekly'] = main ? [null, 'normal', 'normal', 'normal', 'extended', 'normal', null] : DEFAULT_WEEKLY_PLAN;
	return {
		locationId,
		patterns,
		weekly,
		dateExceptions: [],
		rangeExceptions: [],
		bookingWindow: { ...DEFAULT_BOOKING_WINDOW, maxMode: 'days' as const, maxDaysAhead: days },
		purposeIds: null,
		updatedBy: 'seed'
	};
}
