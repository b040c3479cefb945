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

export const reservationSearchQuery = z
	.strictObject({
		q: z.string().trim().max(100).optional(),
		locationId: locationIdParam.optional(),
		date: dateString.optional(),
		/** R-S09: visit dates from … to (inclusive; either may be left out) */
		from: dateString.optional(),
		to: dateString.optional(),
		status: z.enum(['active', 'cancelled', 'no_show', 'completed']).optional(),
		limit: z.coerce.number().int().min(1).max(200).default(50),
		/** R-S09: paging: rows to skip; the answer's `total` counts every match */
		offset: z.coerce.number().int().min(0).max(1_000_000).default(0)
	})
	.refine((q) => !q.from || !q.to || q.from <= q.to, { message: '終了日は開始日以降にしてください', path: ['to'] });

/** R-S09: the same search as a file (no paging: every match, up to the export cap). */
export const reservationExportQuery = z
	.strictObject({
		q: z.string().trim().max(100).optional(),
		locationId: locationIdParam.optional(),
		date: dateString.optional(),
		from: dateString.optional(),
		to: dateString.optional(),
		status: z.enum(['active', 'cancelled', 'no_show', 'completed']).optional(),
		format: z.enum(['csv', 'xlsx']).default('csv'),
		encoding: z.enum(['utf-8', 'shift_jis']).default('utf-8')
	})
	.refine((q) => !q.from || !q.to || q.from <= q.to, { message: '終了日は開始日以降にしてください', path: ['to'] });
