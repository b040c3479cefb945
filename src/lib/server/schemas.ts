import { z } from 'zod';
import { isValidDate, MONTH_RE } from '../domain/dates.ts';
import { CARD_STATUSES } from '../domain/card-status.ts';

/** zod schemas of the public contract (DESIGN.md). Request bodies are strict: unknown fields are 400s. */
export const dateString = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');
export const monthString = z.string().regex(MONTH_RE, 'must be a month YYYY-MM');
export const idParam = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a positive integer id');
export const locationIdParam = z.coerce.number().int().positive().max(2_147_483_647);

export const loginBody = z.strictObject({
	userId: z.string().min(1).max(64),
	password: z.string().min(1).max(200)
});

export const capacityBody = z.strictObject({
	capacity: z.number().int().min(0).max(1000),
	reason: z.string().trim().min(1, '理由を入力してください').max(500)
});

export const staffSlotsQuery = z.strictObject({ locationId: locationIdParam, date: dateString });

export const availabilityQuery = z.strictObject({ month: monthString.optional(), from: dateString.optional(), to: dateString.optional() });

export const cardsQuery = z.strictObject({
	status: z.enum(CARD_STATUSES).optional(),
	q: z.string().trim().max(50).optional(),
	limit: z.coerce.number().int().min(1).max(500).default(50),
	offset: z.coerce.number().int().min(0).default(0)
});

export const boardTokenBody = z.strictObject({
	locationId: z.number().int().positive(),
	label: z.string().trim().min(1, '設置場所の名前を入力してください').max(100)
});
