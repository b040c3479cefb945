import { z } from 'zod';
import { dateString, locationIdParam } from '../schemas.ts';

/** zod schemas of the counter endpoints (R-S15, R-S14, R-S04); bodies are strict like the rest of the contract. */
export const checkInCodeBody = z.strictObject({
	/** what the QR reader typed: MN + 32 hex; spaces, lower case and full-width letters are forgiven */
	code: z.string().max(200, 'QRコードが長すぎます')
});

export const needsRedoBody = z.strictObject({
	note: z.string().trim().min(1, '不備の内容を入力してください').max(500)
});

export const personNoteBody = z.strictObject({
	/** the whole note; an empty string clears it */
	body: z.string().max(1000, 'メモは1000文字までです')
});

export const reservationSearchQuery = z.strictObject({
	q: z.string().trim().max(100).optional(),
	locationId: locationIdParam.optional(),
	date: dateString.optional(),
	status: z.enum(['active', 'cancelled', 'no_show', 'completed']).optional(),
	limit: z.coerce.number().int().min(1).max(200).default(50)
});
