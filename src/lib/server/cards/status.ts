/**
 * R-S08: staff change card statuses by hand, one card or many (the rows of a search, or a pasted
 * list of notice IDs resolved to cards). One transaction per request: cards locked in id order,
 * the plan made by the pure lifecycle rules, one history row per change, one audit row, then —
 * after commit — the changes pushed to staff screens and boards (R-L03).
 */
import { QueryTypes } from 'sequelize';
import type { AppContext, CardStatusChange } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireCardsServed } from '../auth/scope.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import { planBulk, REFUSAL_MESSAGES, type Refusal } from '../../domain/cards/lifecycle.ts';

export const MAX_BULK = 5000;

export interface StatusSummary {
	to: CardStatus;
	changed: number;
	unchanged: number;
	refused: { cardId: string; from: CardStatus; reason: Refusal; message: string }[];
	notFound: string[];
}

interface LockedCard {
	id: string;
	status: CardStatus;
	hasActiveVisit: boolean;
	location_id: number | null;
	date: string | null;
	reservation_id: string | null;
}

export async function changeCardStatuses(
	ctx: AppContext,
	principal: Principal | null,
	input: { cardIds: string[]; to: CardStatus; note?: string | null; ip?: string | null }
): Promise<StatusSummary> {
	const staff = requireRole(principal, 'clerk');
	const ids = [...new Set(input.cardIds)];
	if (ids.length === 0) throw new AppError('bad_request', 'カードが選ばれていません。');
	if (ids.length > MAX_BULK) throw new AppError('bad_request', `一度に変更できるのは ${MAX_BULK}件までです。`);
	// Control characters (NUL cannot even be stored) are dropped from the note staff typed.
	const note = input.note?.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').trim().slice(0, 500) || null;
	const { summary, changes } = await ctx.db.sequelize.transaction(async (t) => {
		// The card rows in id order (so concurrent bulk changes cannot deadlock), with their active visit if any.
		const cards = await ctx.db.sequelize.query<LockedCard>(
			`SELECT c.id::text AS id, c.status, r.location_id, r.date::text AS date, r.id::text AS reservation_id, coalesce(r.status = 'active', false) AS "hasActiveVisit"
			   FROM card_records c
			   LEFT JOIN reservation_persons p ON p.card_record_id = c.id AND p.active
			   LEFT JOIN reservations r ON r.id = p.reservation_id
			  WHERE c.id = ANY($1::bigint[]) ORDER BY c.id FOR UPDATE OF c`,
			{ bind: [ids], type: QueryTypes.SELECT, transaction: t }
		);
		// R-S01: every card must be stored or visiting at a served location, else nothing changes
		await requireCardsServed(ctx, staff, cards.map((c) => c.id), t);
		const found = new Set(cards.map((c) => c.id));
		const plan = planBulk(cards, input.to);
		if (plan.change.length) {
			const moved = plan.change.map((c) => c.card);
			await ctx.db.sequelize.query(
				`WITH u AS (UPDATE card_records SET status = $2, updated_at = now() WHERE id = ANY($1::bigint[]))
				 INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, reservation_id, note)
				 SELECT unnest($1::bigint[]), unnest($3::varchar[]), $2, 'staff', $4, unnest($5::bigint[]), $6`,
				{ bind: [moved.map((c) => c.id), input.to, moved.map((c) => c.status), staff.login, moved.map((c) => c.reservation_id), note], transaction: t }
			);
		}
		const summary: StatusSummary = {
			to: input.to,
			changed: plan.change.length,
			unchanged: plan.unchanged.length,
			refused: plan.refused.map((r) => ({ cardId: r.card.id, from: r.from, reason: r.reason, message: REFUSAL_MESSAGES[r.reason] })),
			notFound: ids.filter((id) => !found.has(id))
		};
		await ctx.db.sequelize.query(
			`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail, ip)
			 VALUES ('staff', $1, 'cards.status_changed', 'card', $2, CAST($3 AS jsonb), $4)`,
			{
				bind: [
					staff.login,
					ids.length === 1 ? ids[0] : null,
					JSON.stringify({ to: input.to, requested: ids.length, changed: summary.changed, refused: summary.refused.length, cardIds: plan.change.map((c) => c.card.id).slice(0, 1000), note }),
					input.ip ?? null
				],
				transaction: t
			}
		);
		const changes: CardStatusChange[] = plan.change.map((c) => ({ cardId: c.card.id, locationId: c.card.location_id, date: c.card.date, from: c.from, to: c.to }));
		return { summary, changes };
	});
	if (changes.length) ctx.events.cardStatusChanged(changes);
	return summary;
}

export interface HistoryEntry {
	kind: 'status' | 'data';
	at: string;
	actorType: string;
	actorId: string | null;
	from?: CardStatus;
	to?: CardStatus;
	note?: string | null;
	reservationId?: string | null;
	/** data changes: field → [old, new] */
	fields?: Record<string, [unknown, unknown]>;
}

/** R-S08: a card's status history and data changes, newest first. */
export async function cardHistory(
	ctx: AppContext,
	principal: Principal | null,
	cardId: string,
	opts: { ip?: string | null } = {}
): Promise<{ cardId: string; status: CardStatus; history: HistoryEntry[] }> {
	const p = requireRole(principal, 'viewer');
	const card = await ctx.db.models.CardRecord.findByPk(cardId, { attributes: ['id', 'status'] });
	if (!card) throw new AppError('not_found', '指定されたカードが見つかりません。');
	await requireCardsServed(ctx, p, [String(card.id)]);
	const rows = await ctx.db.sequelize.query<{ kind: 'status' | 'data'; at: Date; actor_type: string; actor_id: string | null; from_status: CardStatus | null; to_status: CardStatus | null; note: string | null; reservation_id: string | null; old_values: Record<string, unknown> | null; new_values: Record<string, unknown> | null }>(
		`SELECT 'status' AS kind, at, actor_type, actor_id, from_status, to_status, note, reservation_id::text, NULL::jsonb AS old_values, NULL::jsonb AS new_values, id
		   FROM card_status_history WHERE card_record_id = $1
		 UNION ALL
		 SELECT 'data', at, CASE WHEN source = 'import' THEN 'staff' ELSE source END, actor_id, NULL, NULL, CASE WHEN source = 'import' THEN '取込' END, NULL, old_values, new_values, id
		   FROM card_record_changes WHERE card_record_id = $1
		 ORDER BY at DESC, id DESC`,
		{ bind: [cardId], type: QueryTypes.SELECT }
	);
	const history = rows.map((r): HistoryEntry => {
		const base = { kind: r.kind, at: new Date(r.at).toISOString(), actorType: r.actor_type, actorId: r.actor_id, note: r.note };
		if (r.kind === 'status') return { ...base, from: r.from_status!, to: r.to_status!, reservationId: r.reservation_id };
		const fields: Record<string, [unknown, unknown]> = {};
		for (const k of Object.keys(r.new_values ?? {})) fields[k] = [r.old_values?.[k] ?? null, r.new_values?.[k] ?? null];
		return { ...base, fields };
	});
	// R-O03: looking at one person's record is logged (who, which card; nothing personal)
	await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'card.viewed', targetType: 'card', targetId: String(card.id), ip: opts.ip });
	return { cardId: String(card.id), status: card.status, history };
}

/**
 * R-S08 R-S03 R-S14: one card as its page shows it — where it is kept, its data and status — with
 * every change of its status and data. Access (role, served location) is checked by cardHistory first.
 */
export async function cardWithHistory(ctx: AppContext, principal: Principal | null, cardId: string, opts: { ip?: string | null } = {}) {
	const { history } = await cardHistory(ctx, principal, cardId, opts);
	const card = await ctx.db.models.CardRecord.findByPk(cardId);
	if (!card) throw new AppError('not_found', '指定されたカードが見つかりません。');
	return {
		card: {
			id: String(card.id),
			noticeId: card.noticeId,
			birthDate: card.birthDate,
			nameKanji: card.nameKanji,
			nameKana: card.nameKana,
			gender: card.gender === 1 || card.gender === 2 ? (Number(card.gender) as 1 | 2) : null,
			address: card.address,
			storageLocationId: card.storageLocationId,
			boxPosition: card.boxPosition,
			noticeSentOn: card.noticeSentOn ?? null,
			status: card.status
		},
		history
	};
}
