import { z } from 'zod';
import { isValidDate } from '../../domain/dates.ts';

/** A Tokyo calendar day (YYYY-MM-DD) or an instant with its offset (ISO 8601). */
const dayOrInstant = z.string().refine((v) => isValidDate(v) || z.iso.datetime({ offset: true }).safeParse(v).success, '日付（YYYY-MM-DD）または日時（ISO 8601）で指定してください');

/** GET /api/v1/staff/audit (R-O03). Unknown parameters are 400s, like every other query here. */
export const auditQuery = z
	.strictObject({
		format: z.enum(['json', 'csv']).optional(),
		user: z.string().trim().min(1).max(64).optional(),
		/** an action code, or an area: `login` finds login, login.failed, login.locked … */
		action: z
			.string()
			.trim()
			.regex(/^[a-z][a-z_.]{0,63}$/, '操作コードは英小文字・ピリオド・下線で指定してください')
			.optional(),
		/** a target type (`reservation`), an id (`123`), or both (`reservation:123`) */
		target: z.string().trim().min(1).max(100).optional(),
		from: dayOrInstant.optional(),
		to: dayOrInstant.optional(),
		limit: z.coerce.number().int().min(1).max(100_000).optional(),
		offset: z.coerce.number().int().min(0).max(100_000_000).default(0)
	})
	.refine((q) => !q.from || !q.to || bounds(q).from! < bounds(q).toExclusive!, { message: '開始が終了より後になっています', path: ['to'] });

export type AuditQuery = z.infer<typeof auditQuery>;

/** from: the instant, or the start of that Tokyo day; to: inclusive — the instant, or the whole Tokyo day. */
export function bounds(q: { from?: string; to?: string }): { from: Date | null; toExclusive: Date | null } {
	const day = (d: string) => new Date(`${d}T00:00:00+09:00`);
	const from = q.from ? (isValidDate(q.from) ? day(q.from) : new Date(q.from)) : null;
	const toExclusive = q.to ? (isValidDate(q.to) ? new Date(day(q.to).getTime() + 86_400_000) : new Date(new Date(q.to).getTime() + 1)) : null;
	return { from, toExclusive };
}
