/**
 * What each list reads (R-S10, R-S11, R-S13): one row per person of a visit, in the order the
 * list is printed in, so rows can be read in batches straight from Postgres. Nothing here is
 * written; the names and notice IDs read are personal data and never logged.
 */
import { TO_FETCH, boxKeySql, type ListKind } from '../../domain/lists/index.ts';

export interface ListRow {
	reservation_id: string;
	booking_number: string;
	date: string;
	starts_at: Date;
	checked_in_at: Date | null;
	status: string;
	/** this person's own status in this visit (their card's, or the last one recorded for this visit) */
	person_status: string;
	/** reservations list only: the statuses of every person of the visit */
	visit_statuses?: string[];
	party_size: number;
	purpose_ja: string;
	has_email: boolean;
	person_position: number;
	card_id: string;
	notice_id: string;
	name_kanji: string;
	name_kana: string;
	box_position: string;
	storage_location_id: number;
	storage_name: string;
	issuing_location_id: number;
	issuing_name: string;
	/** transfer list only (R-S03): sent to this visit's location (回送済), by whom and when */
	transfer_sent?: boolean;
	transfer_sent_at?: Date | null;
	transfer_sent_by?: string | null;
	/** no-show list only: the follow-up mail's outbox state */
	follow_published_at: Date | null;
	follow_failed_at: Date | null;
	follow_queued: boolean | null;
}

export interface ListFilter {
	kind: ListKind;
	locationId: number | null;
	from: string;
	to: string;
	/**
	 * R-S01: the locations the reader serves (null or absent = all). A row is theirs when its visit
	 * is at one of them; for the transfer list also when the card is stored at one of them.
	 */
	served?: number[] | null;
	/**
	 * Transfer list (R-S03): the printed list leaves out cards already sent (回送済) to the visit's
	 * location — it is what still has to go; the screen passes true and shows them marked.
	 */
	includeSent?: boolean;
}

const SELECT = `r.id AS reservation_id, r.booking_number, r.date::text AS date, r.starts_at, r.checked_in_at, r.status,
	r.party_size, pu.name_ja AS purpose_ja, (r.email IS NOT NULL) AS has_email, p.position AS person_position,
	ps.person_status, c.id AS card_id, c.notice_id, c.name_kanji, c.name_kana, c.box_position,
	sl.id AS storage_location_id, sl.name_ja AS storage_name, il.id AS issuing_location_id, il.name_ja AS issuing_name`;

/**
 * A person's own status in a visit: while the card belongs to the visit (an active person of a
 * visit to come or done) it is the card's status; once the card has moved on (a no-show, a cancel,
 * a later booking) it is the last status recorded for this visit, or the card's when none was.
 */
const PERSON_STATUS = `CASE WHEN p.active AND r.status IN ('active', 'completed') THEN c.status
	ELSE coalesce((SELECT h.to_status FROM card_status_history h WHERE h.card_record_id = c.id AND h.reservation_id = r.id ORDER BY h.at DESC, h.id DESC LIMIT 1), c.status) END`;

// A no-show's persons stop being active (so they may book again) but still belong on its lists.
const FROM = `FROM reservations r
	JOIN reservation_persons p ON p.reservation_id = r.id AND (p.active OR r.status IN ('no_show', 'completed'))
	JOIN card_records c ON c.id = p.card_record_id
	JOIN purposes pu ON pu.id = r.purpose_id
	JOIN locations il ON il.id = r.location_id
	JOIN locations sl ON sl.id = c.storage_location_id
	CROSS JOIN LATERAL (SELECT ${PERSON_STATUS} AS person_status) ps`;

const FOLLOW_UP = `LEFT JOIN LATERAL (
		SELECT o.published_at, o.failed_at, true AS queued FROM outbox o
		 WHERE o.topic = 'reservation.no_show' AND o.payload->>'reservationId' = r.id::text
		 ORDER BY o.id LIMIT 1) f ON true`;

const BOX_KEY = `${boxKeySql('c.box_position')} COLLATE "C"`;

const KIND: Record<ListKind, { where: string; order: string; extraSelect?: string; extraFrom?: string }> = {
	// every visit that was not cancelled, by day and time, with every person's status for the visit's label
	reservations: {
		where: `r.status <> 'cancelled'`,
		order: `r.date, r.starts_at, r.booking_number, p.position, c.id`,
		extraSelect: `, array_agg(ps.person_status::text) OVER (PARTITION BY r.id) AS visit_statuses`
	},
	// cards still in their boxes for the visits to come, shelf by shelf: not a card already at the
	// counter (来庁), handed over (交付済) or found 不備
	pull: {
		where: `r.status = 'active' AND c.status IN (:toFetch)`,
		order: `sl.sort_order, sl.id, ${BOX_KEY}, c.notice_id, r.starts_at, c.id`
	},
	// cards waiting away from where they will be handed out; not yet handed over
	transfer: {
		where: `r.status = 'active' AND r.checked_in_at IS NULL AND c.storage_location_id <> r.location_id`,
		order: `sl.sort_order, sl.id, il.sort_order, il.id, r.date, ${BOX_KEY}, c.notice_id, c.id`,
		extraSelect: `, (c.transfer_sent_to IS NOT DISTINCT FROM r.location_id) AS transfer_sent, c.transfer_sent_at, c.transfer_sent_by`
	},
	'no-shows': {
		where: `r.status = 'no_show'`,
		order: `r.date, r.starts_at, r.booking_number, p.position, c.id`,
		extraSelect: `, f.published_at AS follow_published_at, f.failed_at AS follow_failed_at, f.queued AS follow_queued`,
		extraFrom: FOLLOW_UP
	}
};

function scope(f: ListFilter): string {
	if (!f.served) return '';
	return f.kind === 'transfer' ? 'AND (r.location_id IN (:served) OR c.storage_location_id IN (:served))' : 'AND r.location_id IN (:served)';
}

function where(f: ListFilter): string {
	const unsent = f.kind === 'transfer' && !f.includeSent ? 'AND c.transfer_sent_to IS DISTINCT FROM r.location_id' : '';
	return `WHERE r.date BETWEEN :from AND :to ${f.locationId === null ? '' : 'AND r.location_id = :locationId'} ${scope(f)} AND ${KIND[f.kind].where} ${unsent}`;
}

export function listQueries(f: ListFilter) {
	const k = KIND[f.kind];
	return {
		countSql: `SELECT count(*)::int AS n ${FROM} ${where(f)}`,
		selectSql: `SELECT ${SELECT}${k.extraSelect ?? ''} ${FROM} ${k.extraFrom ?? ''} ${where(f)} ORDER BY ${k.order}`,
		replacements: { from: f.from, to: f.to, locationId: f.locationId, served: f.served ?? null, toFetch: [...TO_FETCH] }
	};
}
