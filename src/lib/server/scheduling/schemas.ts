import { z } from 'zod';
import { dateString, locationIdParam, monthString, reasonText, timeString } from '../schemas.ts';

/** Slots, capacity (R-S04 R-S05 R-S06), availability (R-C05) and the scheduling settings (admins). */

export const capacityBody = z.strictObject({
	capacity: z.number().int().min(0).max(1000),
	reason: reasonText
});

export const staffSlotsQuery = z.strictObject({ locationId: locationIdParam, date: dateString });

export const availabilityQuery = z.strictObject({ month: monthString.optional(), from: dateString.optional(), to: dateString.optional() });

export const capacityPatchBody = capacityBody.extend({
	/** R-S05: allow a capacity below booked + held, listing the bookings above it */
	override: z.boolean().optional()
});

export const capacityRangeBody = z.strictObject({
	locationId: z.number().int().positive(),
	date: dateString,
	start: timeString,
	end: timeString,
	capacity: z.number().int().min(0).max(1000),
	reason: reasonText,
	override: z.boolean().optional()
});

const hoursPattern = z.strictObject({
	id: z.string().trim().min(1).max(32),
	nameJa: z.string().max(50),
	nameEn: z.string().max(50),
	open: z.string().max(5),
	close: z.string().max(5),
	lunch: z.strictObject({ start: z.string().max(5), end: z.string().max(5) }).nullable(),
	slotMinutes: z.number().int(),
	capacity: z.number().int()
});
const dateException = z.union([
	z.strictObject({ date: z.string().max(10), kind: z.literal('closed'), note: z.string().max(200).optional() }),
	z.strictObject({ date: z.string().max(10), kind: z.literal('open'), patternId: z.string().max(32), note: z.string().max(200).optional() })
]);
const rangeException = z.strictObject({ date: z.string().max(10), start: z.string().max(5), end: z.string().max(5), capacity: z.number().int() });
const bookingWindow = z.strictObject({
	citizenMinDaysAhead: z.number().int(),
	staffMinDaysAhead: z.number().int(),
	staffSameDayCutoff: z.string().max(5),
	maxMode: z.enum(['days', 'date']),
	maxDaysAhead: z.number().int(),
	maxDate: z.string().max(10).nullable()
});

/** Shapes only: the domain validators decide what is valid and say why in Japanese. */
export const schedulePatchBody = z.strictObject({
	patterns: z.array(hoursPattern).max(20).optional(),
	weekly: z.array(z.string().max(32).nullable()).length(7).optional(),
	dateExceptions: z.array(dateException).max(500).optional(),
	rangeExceptions: z.array(rangeException).max(500).optional(),
	window: bookingWindow.optional(),
	purposeIds: z.array(z.number().int().positive()).max(50).nullable().optional()
});
