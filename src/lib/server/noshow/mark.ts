/**
 * R-S13: at closing time, bookings nobody came to become 未来庁.
 *
 * A reservation is due when its day's last slot at its location has ended (the end of the day's
 * slots is the location's closing time that day; the visit's own end when no slot is left), it is
 * still 'active' and nobody checked in. One conditional UPDATE … RETURNING claims the due rows,
 * so two nodes running the job at once mark each booking once. In the same transaction:
 * - each card still 予約済 moves to 未来庁 with a history row (R-S08);
 * - the persons stop being active, so the citizen may book again with the follow-up link (R-C12);
 * - the places are NOT given back: the time is past;
 * - a reservation with an email gets one outbox row 'reservation.no_show' {reservationId}, which
 *   the mail job turns into the follow-up mail (its texts editable by an admin: mail_texts);
 * - an audit row per reservation (actor 'system').
 * Card-status events go out after commit.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext, CardStatusChange } from '../context.ts';
import { inTransaction } from '../tx.ts';
import { setCardStatus, type Actor } from '../booking/write.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import { tokyoDate } from '../../domain/schedule/time.ts';

const BATCH = 200;
const SYSTEM: Actor = { type: 'system', id: null };
export const NO_SHOW_NOTE = '閉庁時刻までに来庁がありませんでした';
export const NO_SHOW_TOPIC = 'reservation.no_show';

interface Claimed {
	id: string;
	location_id: number;
	date: string;
	has_email: boolean;
}

export interface NoShowReport {
	reservations: number;
	cards: number;
	followUps: number;
}

async function markBatch(ctx: AppContext): Promise<{ claimed: number; followUps: number; changes: CardStatusChange[] }> {
	const now = ctx.now();
	return inTransaction(ctx, async (t) => {
		const claimed = await ctx.db.sequelize.query<Claimed>(
			`WITH due AS (
			   SELECT r.id FROM reservations r
			    WHERE r.status = 'active' AND r.checked_in_at IS NULL AND r.date <= :today
			      AND GREATEST(r.ends_at, COALESCE((SELECT max(s.ends_at) FROM slots s WHERE s.location_id = r.location_id AND s.date = r.date), r.ends_at)) <= :now
			    ORDER BY r.id LIMIT ${BATCH}
			    FOR UPDATE SKIP LOCKED)
			 UPDATE reservations r SET status = 'no_show', updated_at = now()
			   FROM due WHERE r.id = due.id AND r.status = 'active' AND r.checked_in_at IS NULL
			 RETURNING r.id, r.location_id, r.date::text AS date, (r.email IS NOT NULL) AS has_email`,
			{ replacements: { today: tokyoDate(now), now: now.toISOString() }, type: QueryTypes.SELECT, transaction: t }
		);
		if (claimed.length === 0) return { claimed: 0, followUps: 0, changes: [] };
		const ids = claimed.map((r) => String(r.id));
		// Cards in id order, the lock order every other use case keeps.
		const persons = await ctx.db.sequelize.query<{ reservation_id: string; card_id: string; status: CardStatus }>(
			`SELECT p.reservation_id, c.id AS card_id, c.status FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
			  WHERE p.reservation_id IN (:ids) AND p.active ORDER BY c.id FOR UPDATE OF c`,
			{ replacements: { ids }, type: QueryTypes.SELECT, transaction: t }
		);
		const changes: CardStatusChange[] = [];
		for (const r of claimed) {
			const cards = persons.filter((p) => String(p.reservation_id) === String(r.id) && p.status === 'reserved').map((p) => ({ cardId: String(p.card_id), status: p.status }));
			changes.push(...(await setCardStatus(ctx.db, t, cards, 'no_show', SYSTEM, String(r.id), { locationId: r.location_id, date: r.date }, NO_SHOW_NOTE)));
		}
		await ctx.db.sequelize.query(`UPDATE reservation_persons SET active = false, updated_at = now() WHERE reservation_id IN (:ids) AND active`, {
			replacements: { ids },
			transaction: t
		});
		const mailed = claimed.filter((r) => r.has_email).map((r) => String(r.id));
		if (mailed.length) {
			// once per reservation, even should a reservation ever be marked twice
			await ctx.db.sequelize.query(
				`INSERT INTO outbox (topic, payload)
				 SELECT :topic, jsonb_build_object('reservationId', x.rid) FROM unnest(ARRAY[:ids]::text[]) AS x(rid)
				  WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.topic = :topic AND o.payload->>'reservationId' = x.rid)`,
				{ replacements: { topic: NO_SHOW_TOPIC, ids: mailed }, transaction: t }
			);
		}
		await ctx.db.sequelize.query(
			`INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail)
			 SELECT 'system', NULL, 'reservation.no_show', 'reservation', x.id,
			        jsonb_build_object('locationId', x.loc, 'date', x.date, 'followUp', x.mail)
			   FROM unnest(ARRAY[:ids]::text[], ARRAY[:locs]::int[], ARRAY[:dates]::text[], ARRAY[:mails]::boolean[]) AS x(id, loc, date, mail)`,
			{ replacements: { ids, locs: claimed.map((r) => r.location_id), dates: claimed.map((r) => r.date), mails: claimed.map((r) => r.has_email) }, transaction: t }
		);
		return { claimed: claimed.length, followUps: mailed.length, changes };
	});
}

/** Marks every due reservation, a batch per transaction; publishes after each commit. */
export async function markNoShows(ctx: AppContext): Promise<NoShowReport> {
	const report: NoShowReport = { reservations: 0, cards: 0, followUps: 0 };
	for (;;) {
		const b = await markBatch(ctx);
		if (b.changes.length) ctx.events.cardStatusChanged(b.changes);
		if (b.followUps) ctx.kickOutbox();
		report.reservations += b.claimed;
		report.cards += b.changes.length;
		report.followUps += b.followUps;
		if (b.claimed < BATCH) return report;
	}
}
