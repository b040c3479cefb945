/**
 * R-S03 R-S11: the transfer list (回送リスト) on screen, where staff tick the cards they send.
 * The same rows and order as the printed list, plus the ones already sent (回送済, with who and
 * when). Reading it is reading names in bulk: clerks and above, one audit row per view.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { servedFilter } from '../auth/scope.ts';
import { checkRange } from '../../domain/lists/index.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { listQueries, type ListRow } from './query.ts';
import { transferShipBy } from './transfer.ts';

/** More rows than this on one screen are cut (the count says so); the PDF carries them all. */
export const TRANSFER_SCREEN_MAX = 500;

export interface TransferScreenRow {
	cardId: string;
	reservationId: string;
	storageName: string;
	boxPosition: string;
	issuingName: string;
	date: string;
	shipBy: string;
	noticeId: string;
	nameKanji: string;
	sent: { at: string; by: string } | null;
}

export async function transferScreen(
	ctx: AppContext,
	principal: Principal | null,
	input: { locationId: number | null; from: string; to: string; includeSent: boolean; ip?: string | null }
): Promise<{ total: number; rows: TransferScreenRow[] }> {
	const staff = requireRole(principal, 'clerk');
	const bad = checkRange(input.from, input.to);
	if (bad) throw new AppError('bad_request', bad.message, { errors: [bad] });
	const q = listQueries({ kind: 'transfer', locationId: input.locationId, from: input.from, to: input.to, served: servedFilter(staff), includeSent: input.includeSent });
	const [{ n }] = await ctx.db.sequelize.query<{ n: number }>(q.countSql, { replacements: q.replacements, type: QueryTypes.SELECT });
	const rows = await ctx.db.sequelize.query<ListRow>(`${q.selectSql} LIMIT ${TRANSFER_SCREEN_MAX}`, { replacements: q.replacements, type: QueryTypes.SELECT });
	const shipBy = await transferShipBy(ctx.db);
	await audit(ctx, {
		actorType: 'staff',
		actorId: staff.login,
		action: 'list.viewed',
		targetType: 'list',
		targetId: 'transfer',
		detail: { kind: 'transfer', locationId: input.locationId, from: input.from, to: input.to, includeSent: input.includeSent, rows: n },
		ip: input.ip
	});
	return {
		total: n,
		rows: rows.map((r) => ({
			cardId: String(r.card_id),
			reservationId: String(r.reservation_id),
			storageName: r.storage_name,
			boxPosition: r.box_position,
			issuingName: r.issuing_name,
			date: r.date,
			shipBy: shipBy(r),
			noticeId: r.notice_id,
			nameKanji: r.name_kanji,
			sent: r.transfer_sent && r.transfer_sent_at ? { at: tokyoIso(new Date(r.transfer_sent_at)), by: r.transfer_sent_by ?? '' } : null
		}))
	};
}
