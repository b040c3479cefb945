/** zod schemas of the card endpoints (DESIGN "Staff operations contract"). */
import { z } from 'zod';
import { CARD_STATUSES } from '../../domain/card-status.ts';
import { dateString, idParam, locationIdParam } from '../schemas.ts';
import { CARD_SORTS } from './search.ts';
import { MAX_BULK } from './status.ts';

/** Text without NUL, which Postgres cannot store or compare: refused as a 400, never a 500. */
const text = (max: number) => z.string().trim().max(max).refine((v) => !v.includes('\u0000'), '使えない制御文字が含まれています');

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);
const opt = <T extends z.ZodType>(s: T) => z.preprocess(blankToUndefined, s.optional());

/** The search filters: the original status/q/limit/offset plus the R-S09 filters and sorting. */
export const cardFilterFields = {
	status: opt(z.enum(CARD_STATUSES)),
	q: opt(text(50)),
	noticeId: opt(text(30)),
	kana: opt(text(50)),
	storageLocationId: opt(locationIdParam),
	locationId: opt(locationIdParam),
	purposeId: opt(locationIdParam),
	from: opt(dateString),
	to: opt(dateString),
	sort: opt(z.enum(CARD_SORTS)),
	dir: opt(z.enum(['asc', 'desc']))
};

export const cardSearchQuery = z.strictObject({
	...cardFilterFields,
	limit: z.coerce.number().int().min(1).max(500).default(50),
	offset: z.coerce.number().int().min(0).max(10_000_000).default(0)
});

export const cardExportQuery = z.strictObject({
	...cardFilterFields,
	encoding: z.enum(['utf-8', 'shift_jis']).default('utf-8')
});

export const cardStatusBody = z.strictObject({
	cardIds: z.array(idParam).min(1).max(MAX_BULK),
	to: z.enum(CARD_STATUSES),
	note: text(500).nullish()
});

export const importQuery = z.strictObject({ encoding: z.enum(['auto', 'utf-8', 'shift_jis']).optional() });
