import { createHash, randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';

export const BOARD_COOKIE = 'mn_board';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface BoardToken {
	id: number;
	locationId: number;
	label: string;
	createdBy: string;
	createdAt: string;
	revokedAt: string | null;
}

interface Row {
	id: number;
	location_id: number;
	label: string;
	created_by: string;
	created_at: Date;
	revoked_at: Date | null;
}

const toToken = (r: Row): BoardToken => ({
	id: r.id,
	locationId: r.location_id,
	label: r.label,
	createdBy: r.created_by,
	createdAt: new Date(r.created_at).toISOString(),
	revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null
});

/** R-L02: an admin issues a token that lets one screen show one location's board. The token is shown once. */
export async function issueBoardToken(ctx: AppContext, principal: Principal | null, input: { locationId: number; label: string; ip?: string | null }) {
	const admin = requireRole(principal, 'admin');
	const token = randomBytes(24).toString('base64url');
	const row = await ctx.db.sequelize.transaction(async (transaction) => {
		const loc = await ctx.db.models.Location.findByPk(input.locationId, { transaction });
		if (!loc) throw new AppError('not_found', '指定された交付場所が見つかりません。', { errors: [{ field: 'locationId', message: '存在しない交付場所です。' }] });
		const [r] = await ctx.db.sequelize.query<Row>(
			`INSERT INTO board_tokens (location_id, label, token_hash, created_by) VALUES (:locationId, :label, :hash, :by) RETURNING *`,
			{ replacements: { locationId: input.locationId, label: input.label, hash: hash(token), by: admin.login }, type: QueryTypes.SELECT, transaction }
		);
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'board_token.issued', targetType: 'board_token', targetId: r.id, detail: { locationId: input.locationId }, ip: input.ip }, transaction);
		return r;
	});
	return { ...toToken(row), token };
}

export async function revokeBoardToken(ctx: AppContext, principal: Principal | null, input: { id: number; ip?: string | null }) {
	const admin = requireRole(principal, 'admin');
	await ctx.db.sequelize.transaction(async (transaction) => {
		const [rows] = (await ctx.db.sequelize.query(`UPDATE board_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL RETURNING id`, {
			replacements: { id: input.id },
			transaction
		})) as [unknown[], unknown];
		if (rows.length === 0) throw new AppError('not_found', '有効な表示用トークンが見つかりません。');
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'board_token.revoked', targetType: 'board_token', targetId: input.id, ip: input.ip }, transaction);
	});
	// After commit: boards showing with this token are cut on every node (R-O04).
	ctx.events.boardTokensRevoked?.([input.id]);
}

export async function listBoardTokens(ctx: AppContext, principal: Principal | null): Promise<BoardToken[]> {
	requireRole(principal, 'admin');
	const rows = await ctx.db.sequelize.query<Row>(`SELECT * FROM board_tokens ORDER BY revoked_at IS NOT NULL, id DESC`, { type: QueryTypes.SELECT });
	return rows.map(toToken);
}

/** The location a live (unrevoked) token opens, or null. */
export async function boardTokenLocation(ctx: AppContext, token: string | null | undefined): Promise<number | null> {
	return (await boardTokenGrant(ctx, token))?.locationId ?? null;
}

/** The live token's id (sockets join a room per token so revocation can cut them) and its location, or null. */
export async function boardTokenGrant(ctx: AppContext, token: string | null | undefined): Promise<{ id: number; locationId: number } | null> {
	if (!token || token.length > 100) return null;
	const [row] = await ctx.db.sequelize.query<{ id: number; location_id: number }>(`SELECT id, location_id FROM board_tokens WHERE token_hash = :h AND revoked_at IS NULL`, {
		replacements: { h: hash(token) },
		type: QueryTypes.SELECT
	});
	return row ? { id: row.id, locationId: row.location_id } : null;
}
