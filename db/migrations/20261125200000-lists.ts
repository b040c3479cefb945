import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Lists and no-shows (R-S10, R-S11, R-S13).
 *
 * - transfer_lead_days: how many open days a card needs to travel from a storage location to an
 *   issuing location (回送リスト's 発送期限日); pairs without a row use the city default.
 * - mail_texts: texts an admin may edit for a mail, by key and language. The no-show follow-up
 *   ('reservation.no_show') is the first; the mail templates use a row when one is present.
 * - two indexes: the no-show job's scan of unvisited bookings, and the follow-up state the
 *   no-show list shows (one outbox row per no-show reservation).
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE city_settings
			ADD COLUMN transfer_lead_days_default integer NOT NULL DEFAULT 2 CHECK (transfer_lead_days_default BETWEEN 0 AND 30);

		CREATE TABLE transfer_lead_days (
			from_location_id integer NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
			to_location_id integer NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
			days integer NOT NULL CHECK (days BETWEEN 0 AND 30),
			updated_by varchar(64),
			updated_at timestamptz NOT NULL DEFAULT now(),
			PRIMARY KEY (from_location_id, to_location_id),
			CHECK (from_location_id <> to_location_id)
		);

		CREATE TABLE mail_texts (
			key varchar(64) NOT NULL,
			lang varchar(2) NOT NULL CHECK (lang IN ('ja','en')),
			subject varchar(200) NOT NULL,
			body text NOT NULL,
			updated_by varchar(64),
			updated_at timestamptz NOT NULL DEFAULT now(),
			PRIMARY KEY (key, lang)
		);

		CREATE INDEX reservations_unvisited ON reservations (date) WHERE status = 'active' AND checked_in_at IS NULL;
		CREATE INDEX outbox_no_show_reservation ON outbox ((payload->>'reservationId')) WHERE topic = 'reservation.no_show';
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP INDEX outbox_no_show_reservation;
		DROP INDEX reservations_unvisited;
		DROP TABLE mail_texts;
		DROP TABLE transfer_lead_days;
		ALTER TABLE city_settings DROP COLUMN transfer_lead_days_default;
	`);
};
