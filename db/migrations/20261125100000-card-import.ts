import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Card data import, lifecycle and search (R-S02, R-S03, R-S08, R-S09).
 * - card_records gains 性別 (gender, JIS X 0303: 1 male, 2 female) and 通知書発送日 (notice_sent_on).
 * - card_record_changes keeps every change of a card's data: who, when, and the old and new value of
 *   each changed field (personal data: it lives only here, never in logs or the audit detail).
 * - Search indexes: prefix search on notice ID and name kana (pattern_ops, so LIKE 'x%' uses them
 *   whatever the database collation), storage location + position (pull order), history by card.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE card_records
			ADD COLUMN gender smallint CHECK (gender IN (1, 2)),
			ADD COLUMN notice_sent_on date;

		CREATE TABLE card_record_changes (
			id bigserial PRIMARY KEY,
			card_record_id bigint NOT NULL REFERENCES card_records(id),
			source varchar(16) NOT NULL CHECK (source IN ('import', 'staff')),
			actor_id varchar(64),
			at timestamptz NOT NULL DEFAULT now(),
			old_values jsonb NOT NULL,
			new_values jsonb NOT NULL
		);
		CREATE INDEX card_record_changes_card ON card_record_changes (card_record_id, at);

		CREATE INDEX card_records_notice_prefix ON card_records (notice_id varchar_pattern_ops);
		CREATE INDEX card_records_kana_prefix ON card_records (name_kana varchar_pattern_ops);
		CREATE INDEX card_records_storage ON card_records (storage_location_id, box_position);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP INDEX card_records_storage;
		DROP INDEX card_records_kana_prefix;
		DROP INDEX card_records_notice_prefix;
		DROP TABLE card_record_changes;
		ALTER TABLE card_records DROP COLUMN notice_sent_on, DROP COLUMN gender;
	`);
};
