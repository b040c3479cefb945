import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Card data import, lifecycle and search (R-S02, R-S03, R-S08, R-S09).
 * - card_records gains 性別 (gender, JIS X 0303: 1 male, 2 female) and 通知書発送日 (notice_sent_on).
 * - card_record_changes keeps every change of a card's data: who, when, and the old and new value of
 *   each changed field (personal data: it lives only here, never in logs or the audit detail).
 * - Search indexes (R-S09, < 50 ms on 300,000 cards): notice ID and name kana in the "C" collation,
 *   so one index serves both a prefix LIKE and the sort whatever the database's collation (kana in
 *   code point order is 五十音 order), with the id so a page of ids comes from the index alone; storage location + position (pull order) and + status (counts).
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

		CREATE INDEX card_records_notice_c ON card_records ((notice_id COLLATE "C"), id);
		CREATE INDEX card_records_kana_c ON card_records ((name_kana COLLATE "C"), id);
		CREATE INDEX card_records_storage ON card_records (storage_location_id, box_position);
		CREATE INDEX card_records_storage_status ON card_records (storage_location_id, status);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP INDEX card_records_storage_status;
		DROP INDEX card_records_storage;
		DROP INDEX card_records_kana_c;
		DROP INDEX card_records_notice_c;
		DROP TABLE card_record_changes;
		ALTER TABLE card_records DROP COLUMN notice_sent_on, DROP COLUMN gender;
	`);
};
