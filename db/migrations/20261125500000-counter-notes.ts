import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-S14 staff-only notes on each person (card record). Append-only: every edit is a new row, so
 * the history (who, when, what) is kept; the person's current note is the newest row. Nothing in
 * the citizen journey reads this table.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE person_notes (
			id bigserial PRIMARY KEY,
			card_record_id bigint NOT NULL REFERENCES card_records(id) ON DELETE CASCADE,
			-- an empty body clears the note (the clearing is history too)
			body varchar(1000) NOT NULL,
			author varchar(64) NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now()
		);
		CREATE INDEX person_notes_card ON person_notes (card_record_id, id DESC);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`DROP TABLE person_notes;`);
};
