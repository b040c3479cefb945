import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * The clerk's partials.
 * - R-S03: a card sent (回送済) to the location where it will be handed out records who sent it,
 *   when, and to which location (a later move of the booking elsewhere makes it due again).
 * - R-L02: the late-arrival minutes after a slot's end from which a booked visitor counts as not
 *   yet arrived on the board (the same line another branch adds; IF NOT EXISTS makes both work).
 * - R-S01: a password set or reset by an admin must be changed by its user at the next login.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE card_records
			ADD COLUMN transfer_sent_at timestamptz,
			ADD COLUMN transfer_sent_by varchar(64),
			ADD COLUMN transfer_sent_to integer REFERENCES locations(id);
		ALTER TABLE city_settings ADD COLUMN IF NOT EXISTS late_arrival_minutes integer NOT NULL DEFAULT 15;
		ALTER TABLE staff_users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
	`);
};

// late_arrival_minutes stays on the way down: another branch adds the very same column and owns it.
export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE staff_users DROP COLUMN must_change_password;
		ALTER TABLE card_records DROP COLUMN transfer_sent_to, DROP COLUMN transfer_sent_by, DROP COLUMN transfer_sent_at;
	`);
};
