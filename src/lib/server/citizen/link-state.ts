import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { verifyLinkToken } from './tokens.ts';

/** What opening an emailed link would do, read without using it (the page asks before it opens a session). */
export async function linkState(ctx: AppContext, token: string): Promise<'ok' | 'used' | 'expired' | 'invalid'> {
	const id = verifyLinkToken(ctx.jwtSecret, token);
	if (!id) return 'invalid';
	const [row] = await ctx.db.sequelize.query<{ used_at: Date | null; expires_at: Date }>(`SELECT used_at, expires_at FROM citizen_links WHERE id = :id`, {
		replacements: { id },
		type: QueryTypes.SELECT
	});
	if (!row) return 'invalid';
	if (row.used_at) return 'used';
	return new Date(row.expires_at) <= ctx.now() ? 'expired' : 'ok';
}
