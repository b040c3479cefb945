import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { AppError } from '../errors.ts';
import type { Role } from '../../domain/roles.ts';

export interface StaffUserView {
	id: number;
	login: string;
	displayName: string;
	role: Role;
	active: boolean;
	/** the locations the user serves; empty means every location */
	locationIds: number[];
	/** set while the account is locked after failed logins */
	lockedUntil: string | null;
	createdAt: string;
	updatedAt: string;
}

interface Row {
	id: number;
	login: string;
	display_name: string;
	role: Role;
	active: boolean;
	location_ids: number[] | null;
	locked_until: Date | null;
	created_at: Date;
	updated_at: Date;
}

const SELECT = `SELECT u.id, u.login, u.display_name, u.role, u.active, u.locked_until, u.created_at, u.updated_at,
		coalesce((SELECT array_agg(l.location_id ORDER BY l.location_id) FROM staff_user_locations l WHERE l.staff_user_id = u.id), '{}') AS location_ids
	FROM staff_users u`;

function toView(r: Row, now: Date): StaffUserView {
	return {
		id: r.id,
		login: r.login,
		displayName: r.display_name,
		role: r.role,
		active: r.active,
		locationIds: (r.location_ids ?? []).map(Number),
		lockedUntil: r.locked_until && new Date(r.locked_until) > now ? new Date(r.locked_until).toISOString() : null,
		createdAt: new Date(r.created_at).toISOString(),
		updatedAt: new Date(r.updated_at).toISOString()
	};
}

export async function readUser(ctx: AppContext, id: number, transaction?: Transaction): Promise<StaffUserView | null> {
	const [row] = await ctx.db.sequelize.query<Row>(`${SELECT} WHERE u.id = :id`, { replacements: { id }, type: QueryTypes.SELECT, transaction });
	return row ? toView(row, ctx.now()) : null;
}

/** R-S01: every staff user, active first, for the admin screen and GET /api/v1/staff/users. */
export async function listUsers(ctx: AppContext, principal: Principal | null): Promise<StaffUserView[]> {
	requireRole(principal, 'admin');
	const rows = await ctx.db.sequelize.query<Row>(`${SELECT} ORDER BY u.active DESC, u.login`, { type: QueryTypes.SELECT });
	return rows.map((r) => toView(r, ctx.now()));
}

/** One user for the admin's edit screen. */
export async function getUser(ctx: AppContext, principal: Principal | null, id: number): Promise<StaffUserView> {
	requireRole(principal, 'admin');
	const user = await readUser(ctx, id);
	if (!user) throw new AppError('not_found', '利用者が見つかりません。');
	return user;
}

/**
 * The locations a user serves, or null for every location. For the areas that filter by it
 * (lists, check-in): `served === null || served.includes(locationId)`.
 */
export async function servedLocationIds(ctx: Pick<AppContext, 'db'>, userId: number): Promise<number[] | null> {
	const rows = await ctx.db.sequelize.query<{ location_id: number }>(`SELECT location_id FROM staff_user_locations WHERE staff_user_id = :userId ORDER BY location_id`, {
		replacements: { userId },
		type: QueryTypes.SELECT
	});
	return rows.length ? rows.map((r) => r.location_id) : null;
}
