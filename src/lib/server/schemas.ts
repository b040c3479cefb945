import { z } from 'zod';
import { isValidDate, MONTH_RE } from '../domain/dates.ts';
import { isDeliverableAddress } from '../domain/mail-format.ts';

/**
 * The primitive zod schemas every area's request bodies are built from (DESIGN.md's public contract):
 * dates, ids, times, the email rule. Each area's own bodies live in its folder (`<area>/schemas.ts`).
 * Request bodies are strict: unknown fields are 400s.
 */
export const dateString = z.string().refine(isValidDate, 'must be a date YYYY-MM-DD');
export const monthString = z.string().regex(MONTH_RE, 'must be a month YYYY-MM');
export const idParam = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a positive integer id');
export const locationIdParam = z.coerce.number().int().positive().max(2_147_483_647);

/** A staff reason for a change (capacity, override): required, one paragraph at most. */
export const reasonText = z.string().trim().min(1, '理由を入力してください').max(500);
/** Slot ids are bigints: strings in JSON, though a client sending a number is understood too. */
export const slotIdField = z.union([idParam, z.number().int().positive().max(Number.MAX_SAFE_INTEGER).transform(String)]);
export const timeString = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
export const uuidParam = z.uuid('must be a UUID');

/**
 * The one email address rule of every boundary (R-O04): staff booking form and API, citizen sign-in
 * links, emergency contacts, reservation imports (through isDeliverableAddress, its core) and the
 * mail sender. A plain addr-spec only: `victim,evil@example.jp`, display names, quoted parts, spaces
 * and line breaks — anything SMTP could read as more than one address — are refused.
 */
export const emailAddress = z
	.string({ error: 'メールアドレスを入力してください' })
	.trim()
	.min(1, 'メールアドレスを入力してください')
	.max(254, 'メールアドレスが長すぎます')
	.refine(isDeliverableAddress, 'メールアドレスの形式が正しくありません');

export const langField = z.enum(['ja', 'en']);
