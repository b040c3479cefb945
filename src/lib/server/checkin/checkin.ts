import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { mayServe } from '../../domain/scope.ts';
import { tokyoDateOf } from '../../domain/dates.ts';
import { checkInDayProblem, toHalfWidth } from '../../domain/counter.ts';
import { normaliseCheckinCode } from '../citizen/tokens.ts';
import { counterReservation, type CounterReservation } from '../reservations/detail.ts';
import { activeCards, lockReservation, moveCards, publish, type CounterRow, type Moved } from './rows.ts';

const NOT_ACTIVE: Record<string, string> = {
	cancelled: 'この予約は取り消されています。来庁受付はできません。',
	no_show: 'この予約は未来庁として処理済みです。来庁受付はできません。'
};

/** R-S01: a clerk checks in only at a location they serve; the message says where the booking is. */
async function otherLocation(ctx: AppContext, t: Transaction, clerk: Principal, r: CounterRow): Promise<AppError | null> {
	if (mayServe(clerk, r.location_id)) return null;
	const [l] = await ctx.db.sequelize.query<{ name_ja: string }>(`SELECT name_ja FROM locations WHERE id = :id`, { replacements: { id: r.location_id }, type: QueryTypes.SELECT, transaction: t });
	return new AppError('forbidden', `この予約は「${l?.name_ja ?? ''}」での予約です。担当の交付場所ではないため受付できません。予約された交付場所で受付してください。`, {
		extra: { reason: 'other_location', locationId: r.location_id }
	});
}

function dayError(r: CounterRow, today: string): AppError | null {
	const problem = checkInDayProblem(r.date, today);
	if (!problem) return null;
	const message =
		problem === 'future'
			? `この予約は ${r.date} の予約です。来庁受付は予約日当日のみできます。`
			: `この予約は ${r.date} の予約で、予約日を過ぎています。来庁受付はできません（改めて予約が必要です）。`;
	return new AppError('conflict', message, { extra: { reason: problem === 'future' ? 'not_yet' : 'past', date: r.date } });
}

/** Marks a locked, active, not yet checked-in visit 来庁: slot count, card statuses, audit row. */
async function checkInLocked(ctx: AppContext, t: Transaction, r: CounterRow, login: string, ip?: string | null): Promise<Moved[]> {
	const cards = await activeCards(ctx, t, r.id);
	await ctx.db.sequelize.query(`UPDATE reservations SET checked_in_at = :now, updated_at = now() WHERE id = :id`, {
		replacements: { id: r.id, now: ctx.now().toISOString() },
		transaction: t
	});
	// The visit's first slot counts the household as checked in (R-L01).
	await ctx.db.sequelize.query(
		`UPDATE slots SET checked_in = checked_in + :n, version = version + 1, updated_at = now()
		  WHERE id = (SELECT s.id FROM reservation_slots rs JOIN slots s ON s.id = rs.slot_id WHERE rs.reservation_id = :rid ORDER BY s.starts_at LIMIT 1)`,
		{ replacements: { n: cards.length, rid: r.id }, transaction: t }
	);
	const moved = await moveCards(ctx, t, cards, 'checked_in', { login, reservationId: r.id });
	await audit(ctx, { actorType: 'staff', actorId: login, action: 'reservation.checked_in', targetType: 'reservation', targetId: r.id, detail: { persons: cards.length }, ip }, t);
	return moved;
}

/**
 * R-S15: the household arrives at the counter. The visit's first slot counts them as checked in,
 * each active person's card moves 予約済 → 来庁, and every screen hears of it after commit (R-L03).
 */
export async function checkIn(ctx: AppContext, principal: Principal | null, input: { reservationId: string; ip?: string | null }) {
	const clerk = requireRole(principal, 'clerk');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, input.reservationId);
		const elsewhere = await otherLocation(ctx, t, clerk, r);
		if (elsewhere) throw elsewhere;
		if (r.status !== 'active') throw new AppError('conflict', NOT_ACTIVE[r.status] ?? 'この予約は受付できません（完了済みなど）。');
		if (r.checked_in_at) throw new AppError('conflict', 'この予約はすでに来庁受付済みです。');
		const wrongDay = dayError(r, tokyoDateOf(ctx.now()));
		if (wrongDay) throw wrongDay;
		return { r, moved: await checkInLocked(ctx, t, r, clerk.login, input.ip) };
	});
	publish(ctx, r, moved);
	return { reservationId: r.id, checkedIn: moved.length };
}

export interface ScanResult {
	/** true when this scan marked the visit 来庁; false when it had been checked in before */
	checkedIn: boolean;
	alreadyCheckedIn: boolean;
	reservation: CounterReservation;
}

/**
 * R-S15 `POST /api/v1/staff/check-in`: what a USB QR reader typed. Finds the booking by its
 * check-in code and, when it is today (and at a location the clerk serves), marks the
 * visit 来庁 in one transaction. Scanning again answers the booking without changing anything, so
 * the clerk can go on with the persons.
 */
export async function checkInByCode(ctx: AppContext, principal: Principal | null, input: { code: string; ip?: string | null }): Promise<ScanResult> {
	const clerk = requireRole(principal, 'clerk');
	const code = normaliseCheckinCode(toHalfWidth(input.code));
	if (!code) {
		throw new AppError('bad_request', '予約のQRコードではありません。読み取り直すか、予約番号・氏名で検索してください。', {
			errors: [{ field: 'code', message: 'MN で始まる34文字のコードではありません。' }]
		});
	}
	const [found] = await ctx.db.sequelize.query<{ id: string }>(`SELECT id FROM reservations WHERE checkin_code = :code`, {
		replacements: { code },
		type: QueryTypes.SELECT
	});
	if (!found) throw new AppError('not_found', 'このQRコードの予約は見つかりません。予約番号・氏名で検索してください。');
	const { r, moved } = await ctx.db.sequelize.transaction(async (t) => {
		const r = await lockReservation(ctx, t, String(found.id));
		const elsewhere = await otherLocation(ctx, t, clerk, r);
		if (elsewhere) throw elsewhere;
		if (r.status === 'cancelled' || r.status === 'no_show') throw new AppError('conflict', NOT_ACTIVE[r.status], { extra: { reason: r.status } });
		const wrongDay = dayError(r, tokyoDateOf(ctx.now()));
		if (wrongDay) throw wrongDay;
		if (r.checked_in_at) return { r, moved: null };
		return { r, moved: await checkInLocked(ctx, t, r, clerk.login, input.ip) };
	});
	if (moved) publish(ctx, r, moved);
	// R-O03: a scan that changes nothing still shows one person's booking: logged as a view
	else await audit(ctx, { actorType: 'staff', actorId: clerk.login, action: 'reservation.viewed', targetType: 'reservation', targetId: r.id, detail: { via: 'check-in' }, ip: input.ip });
	return { checkedIn: moved !== null, alreadyCheckedIn: moved === null, reservation: (await counterReservation(ctx.db, r.id))! };
}
