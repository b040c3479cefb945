import { z } from 'zod';
import { LIST_ENCODINGS, LIST_FORMATS, LIST_KINDS } from '../../domain/lists/index.ts';
import { dateString, locationIdParam } from '../schemas.ts';

const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);
const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

/** GET /api/v1/staff/lists/{kind}: no locationId (or an empty one) means every issuing location; `to` defaults to `from`. */
export const listQuery = z.strictObject({
	locationId: z.preprocess(blankIsAbsent, locationIdParam.optional()),
	from: dateString,
	to: z.preprocess(blankIsAbsent, dateString.optional()),
	format: z.preprocess(lower, z.enum(LIST_FORMATS, 'must be csv or pdf')).default('csv'),
	encoding: z.preprocess(lower, z.enum(LIST_ENCODINGS, 'must be utf-8 or shift_jis')).default('utf-8')
});

export const listKindPath = z.object({ kind: z.enum(LIST_KINDS, 'must be reservations, pull, transfer or no-shows') });
