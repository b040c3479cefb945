/**
 * R-O09: the retention rules counted in days, one entry per rule, each naming the tables and
 * columns it purges (the README's table is this list). A rule's targets run in order, each in
 * batches of its own transaction (so a large first purge never holds locks for long), and nothing
 * a current booking needs is touched: the persons and cards of an active booking, a live hold,
 * a mail still to be sent, a session that still holds places.
 *
 * Adding personal data to the schema means adding a target here (or a new rule: a column in
 * city_settings, an entry below, a field on the settings page).
 */

export const FINAL_CARD_STATUSES = ['issued', 'cancelled', 'returned'] as const;
export const ERASED = '（削除済み）';

/** The card has a booking that is still to come or going on (its persons are needed at the counter). */
const activeBooking = (card: string) =>
	`EXISTS (SELECT 1 FROM reservation_persons rp JOIN reservations r ON r.id = rp.reservation_id
	          WHERE rp.card_record_id = ${card} AND rp.active AND r.status = 'active')`;
/** A citizen is holding places for the card right now. */
const liveHold = (card: string) => `EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND h.expires_at > :now AND ${card} = ANY (h.card_ids))`;

/**
 * Erases a card's personal fields, with its data-change history, staff notes and status-history
 * notes; the row stays (statistics count it, history points to it). `ids` is a subquery.
 */
export const eraseCards = (ids: string) => `
	WITH c AS (${ids}),
	     h AS (DELETE FROM card_record_changes WHERE card_record_id IN (SELECT id FROM c)),
	     n AS (DELETE FROM person_notes WHERE card_record_id IN (SELECT id FROM c)),
	     s AS (UPDATE card_status_history SET note = NULL WHERE card_record_id IN (SELECT id FROM c) AND note IS NOT NULL),
	     e AS (UPDATE card_records SET name_kanji = :erased, name_kana = '', address = '', box_position = '', gender = NULL,
	                  notice_id = 'X' || id::text, birth_date = DATE '1900-01-01'
	            WHERE id IN (SELECT id FROM c) RETURNING 1)
	SELECT count(*)::int AS n FROM e`;

export interface RetentionTarget {
	/** table and the personal columns it holds, for the README and the settings page */
	table: string;
	/** what an admin reads on the settings page */
	what: string;
	columns: string;
	/** the ids (one column `id`) of rows this rule would purge now; parameters :before, :now */
	candidates: string;
	/** purges one batch: `ids` is `candidates` with a LIMIT; returns one row {n} */
	purge: (ids: string) => string;
}

export interface DayRule {
	key: 'linkDays' | 'holdDays' | 'mailDays' | 'noteDays' | 'openCardDays';
	column: string;
	label: string;
	min: number;
	max: number;
	defaultDays: number;
	targets: RetentionTarget[];
}

const del = (table: string, key = 'id') => (ids: string) => `WITH d AS (DELETE FROM ${table} WHERE ${key} IN (${ids}) RETURNING 1) SELECT count(*)::int AS n FROM d`;

export const DAY_RULES: DayRule[] = [
	{
		key: 'linkDays',
		column: 'retention_link_days',
		label: 'サインイン用リンクと市民のセッション（日）',
		min: 1,
		max: 365,
		defaultDays: 30,
		targets: [
			{
				table: 'citizen_links',
				what: 'サインイン用リンク（申し込んだアドレス）',
				columns: 'email, lang（リンクを求めたすべてのアドレス）',
				candidates: `SELECT id FROM citizen_links WHERE expires_at < :before`,
				purge: del('citizen_links')
			},
			{
				table: 'citizen_sessions',
				what: '市民のセッション（アドレス・入力途中の予約）',
				columns: 'email, lang, draft（入力途中の予約）',
				// a session ends when it expires or is revoked (LEAST skips a NULL); one still holding places stays
				candidates: `SELECT s.id FROM citizen_sessions s WHERE least(s.expires_at, s.revoked_at) < :before
				               AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.citizen_session_id = s.id AND h.released_at IS NULL AND h.expires_at > :now)`,
				purge: del('citizen_sessions')
			}
		]
	},
	{
		key: 'holdDays',
		column: 'retention_hold_days',
		label: '仮押さえ（日）',
		min: 1,
		max: 365,
		defaultDays: 30,
		targets: [
			{
				table: 'holds',
				what: '終わった仮押さえ',
				columns: 'card_ids, citizen_session_id（誰がどのカードで予約しかけたか）',
				candidates: `SELECT id FROM holds WHERE coalesce(released_at, expires_at) < :before AND (released_at IS NOT NULL OR expires_at < :now)`,
				purge: del('holds')
			}
		]
	},
	{
		key: 'mailDays',
		column: 'retention_mail_days',
		label: '送信済みメール（日）',
		min: 7,
		max: 730,
		defaultDays: 90,
		targets: [
			{
				table: 'bulk_mail_recipients',
				what: '一斉メールの宛先',
				columns: 'reservation_id, outbox_id（一斉メールの宛先）',
				candidates: `SELECT r.outbox_id AS id FROM bulk_mail_recipients r JOIN outbox o ON o.id = r.outbox_id WHERE coalesce(o.published_at, o.failed_at) < :before`,
				purge: del('bulk_mail_recipients', 'outbox_id')
			},
			{
				table: 'outbox',
				what: '送信済み・送信失敗のメール',
				columns: 'payload, last_error（送信済み・送信失敗のメール）',
				// a mail still to be sent (neither published nor failed) is never a candidate
				candidates: `SELECT id FROM outbox WHERE coalesce(published_at, failed_at) < :before`,
				purge: (ids) =>
					`WITH o AS (${ids}), r AS (DELETE FROM bulk_mail_recipients WHERE outbox_id IN (SELECT id FROM o)),
					      d AS (DELETE FROM outbox WHERE id IN (SELECT id FROM o) RETURNING 1)
					 SELECT count(*)::int AS n FROM d`
			}
		]
	},
	{
		key: 'noteDays',
		column: 'retention_note_days',
		label: 'メモ・変更履歴などの自由記述（日）',
		min: 30,
		max: 3650,
		defaultDays: 730,
		targets: [
			{
				table: 'card_status_history',
				what: '状態変更のメモ',
				columns: 'note（状態変更のメモ）',
				candidates: `SELECT h.id FROM card_status_history h WHERE h.note IS NOT NULL AND h.at < :before AND NOT ${activeBooking('h.card_record_id')}`,
				purge: (ids) => `WITH d AS (UPDATE card_status_history SET note = NULL WHERE id IN (${ids}) RETURNING 1) SELECT count(*)::int AS n FROM d`
			},
			{
				table: 'person_notes',
				what: '窓口のメモ',
				columns: 'body（窓口のメモ）',
				candidates: `SELECT n.id FROM person_notes n WHERE n.created_at < :before AND NOT ${activeBooking('n.card_record_id')}`,
				purge: del('person_notes')
			},
			{
				table: 'card_record_changes',
				what: 'カード情報の変更履歴',
				columns: 'old_values, new_values（カード情報の変更前後）',
				candidates: `SELECT c.id FROM card_record_changes c WHERE c.at < :before AND NOT ${activeBooking('c.card_record_id')}`,
				purge: del('card_record_changes')
			},
			{
				table: 'reservations',
				what: '定員超過の理由',
				columns: 'override_reason（定員超過の理由）',
				candidates: `SELECT id FROM reservations WHERE override_reason IS NOT NULL AND created_at < :before AND NOT (status = 'active' AND date >= (:now::timestamptz AT TIME ZONE 'Asia/Tokyo')::date)`,
				purge: (ids) => `WITH d AS (UPDATE reservations SET override_reason = NULL WHERE id IN (${ids}) RETURNING 1) SELECT count(*)::int AS n FROM d`
			}
		]
	},
	{
		key: 'openCardDays',
		column: 'retention_open_card_days',
		label: '交付に至らないカード情報（最後の更新からの日数）',
		min: 365,
		max: 7300,
		defaultDays: 1825,
		targets: [
			{
				table: 'card_records',
				what: '交付に至らないカードの氏名・住所など',
				columns: 'name_kanji, name_kana, address, box_position, gender, notice_id, birth_date（未交付のまま）と、そのメモ・変更履歴',
				candidates: `SELECT c.id FROM card_records c WHERE c.status NOT IN (:final) AND c.updated_at < :before AND c.name_kanji <> :erased
				               AND NOT ${activeBooking('c.id')} AND NOT ${liveHold('c.id')}`,
				purge: (ids) => eraseCards(ids)
			}
		]
	}
];

export type DayRuleKey = DayRule['key'];
export type DayRules = Record<DayRuleKey, number | null>;
