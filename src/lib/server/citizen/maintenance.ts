/**
 * R-C13: an admin switch with a planned end, and an announcement ahead of planned maintenance.
 * Read on every citizen request, so each node keeps the row for two seconds: a switch reaches
 * every node within that, without a query per request.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';

export interface MaintenanceState {
	/** the citizen site is closed now */
	active: boolean;
	/** planned start (an announcement while in the future) and planned end */
	from: string | null;
	until: string | null;
	/** a planned maintenance to announce on citizen pages */
	announced: boolean;
	messageJa: string;
	messageEn: string;
}

const KEY = Symbol.for('mynumber.maintenance');
type Holder = { [KEY]?: { at: number; row: Row } };
interface Row {
	maintenance_active: boolean;
	maintenance_from: Date | null;
	maintenance_until: Date | null;
	/** per locale tag (R-S18); the staff form edits ja and en */
	maintenance_message: Partial<Record<string, string>>;
}

async function readRow(ctx: AppContext, fresh = false): Promise<Row> {
	const h = globalThis as Holder;
	const cached = h[KEY];
	if (!fresh && cached && Date.now() - cached.at < 2000) return cached.row;
	const [row] = await ctx.db.sequelize.query<Row>(
		`SELECT maintenance_active, maintenance_from, maintenance_until, maintenance_message FROM city_settings WHERE id = 1`,
		{ type: QueryTypes.SELECT }
	);
	h[KEY] = { at: Date.now(), row };
	return row;
}

/** Drops this node's copy: another node changed the maintenance settings (server/realtime/nodes.ts). */
export function forgetMaintenance(): void {
	delete (globalThis as Holder)[KEY];
}

export function stateOf(row: Row, now: Date): MaintenanceState {
	const from = row.maintenance_from ? new Date(row.maintenance_from) : null;
	const until = row.maintenance_until ? new Date(row.maintenance_until) : null;
	const inWindow = !!from && from <= now && (!until || until > now);
	const active = (row.maintenance_active && (!until || until > now)) || inWindow;
	return {
		active,
		from: from?.toISOString() ?? null,
		until: until?.toISOString() ?? null,
		announced: !active && !!from && from > now,
		messageJa: row.maintenance_message?.ja ?? '',
		messageEn: row.maintenance_message?.en ?? ''
	};
}

export async function maintenanceState(ctx: AppContext): Promise<MaintenanceState> {
	return stateOf(await readRow(ctx), ctx.now());
}

/** The 503 of every citizen endpoint while closed, with when to come back. */
export function maintenanceError(m: MaintenanceState, now: Date): AppError {
	const retryAfter = m.until ? Math.max(60, Math.ceil((new Date(m.until).getTime() - now.getTime()) / 1000)) : 600;
	const end = m.until ? new Date(m.until).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : null;
	const endEn = m.until ? new Date(m.until).toLocaleString('en-GB', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }) : null;
	return new AppError('unavailable', `ただいまメンテナンス中です。${end ? `${end}に終了する予定です。` : ''}`, {
		en: `The booking site is under maintenance.${endEn ? ` It is planned to end at ${endEn} (Japan time).` : ''}`,
		extra: { reason: 'maintenance', plannedEnd: m.until, retryAfter }
	});
}

export interface MaintenanceInput {
	active: boolean;
	from: Date | null;
	until: Date | null;
	messageJa: string;
	messageEn: string;
}

export async function setMaintenance(ctx: AppContext, principal: Principal | null, input: MaintenanceInput, ip?: string | null): Promise<MaintenanceState> {
	const p = requireRole(principal, 'admin');
	if (input.from && input.until && input.until <= input.from) {
		throw new AppError('unprocessable', '終了予定は開始予定より後にしてください。', { errors: [{ field: 'until', message: '開始予定より後の日時にしてください。' }] });
	}
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(
			`UPDATE city_settings SET maintenance_active = :active, maintenance_from = :from, maintenance_until = :until,
			        maintenance_message = maintenance_message || CAST(:message AS jsonb), updated_at = now() WHERE id = 1`,
			{
				replacements: { active: input.active, from: input.from?.toISOString() ?? null, until: input.until?.toISOString() ?? null, message: JSON.stringify({ ja: input.messageJa, en: input.messageEn }) },
				transaction: t
			}
		);
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'maintenance.changed', targetType: 'city_settings', targetId: 1, detail: { active: input.active, from: input.from, until: input.until }, ip }, t);
	});
	ctx.events.citySettingsChanged?.();
	return stateOf(await readRow(ctx, true), ctx.now());
}

/** Paths the citizen site serves; staff pages, the staff API and wall boards keep working. */
export function isCitizenPath(pathname: string): boolean {
	return !(
		pathname.startsWith('/staff') ||
		pathname.startsWith('/api/v1/staff') ||
		pathname.startsWith('/board') ||
		pathname === '/api/v1/openapi.json'
	);
}
