import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-O09: retention rules, in days, for the personal data the first retention rules left alone:
 * sign-in links and citizen sessions (every address that asked for a link), holds (which cards a
 * citizen tried to book), sent mails (the outbox and bulk-mail recipients), free-text notes and
 * data-change history of cards, and cards that never reached a final status. The city sets each
 * one on /staff/settings/retention; NULL keeps that data without limit. Defaults are what a city
 * would choose without thinking about it; the bounds keep a typo from wiping current data.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE city_settings
			ADD COLUMN retention_link_days integer DEFAULT 30 CHECK (retention_link_days BETWEEN 1 AND 365),
			ADD COLUMN retention_hold_days integer DEFAULT 30 CHECK (retention_hold_days BETWEEN 1 AND 365),
			ADD COLUMN retention_mail_days integer DEFAULT 90 CHECK (retention_mail_days BETWEEN 7 AND 730),
			ADD COLUMN retention_note_days integer DEFAULT 730 CHECK (retention_note_days BETWEEN 30 AND 3650),
			ADD COLUMN retention_open_card_days integer DEFAULT 1825 CHECK (retention_open_card_days BETWEEN 365 AND 7300);
		CREATE INDEX citizen_sessions_expires ON citizen_sessions (expires_at);
		CREATE INDEX holds_created ON holds (created_at);
		CREATE INDEX person_notes_created ON person_notes (created_at);
		CREATE INDEX card_status_history_noted ON card_status_history (at) WHERE note IS NOT NULL;
		CREATE INDEX bulk_mail_recipients_outbox ON bulk_mail_recipients (outbox_id);
	`);
};

/** Mirrors up. */
export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP INDEX bulk_mail_recipients_outbox;
		DROP INDEX card_status_history_noted;
		DROP INDEX person_notes_created;
		DROP INDEX holds_created;
		DROP INDEX citizen_sessions_expires;
		ALTER TABLE city_settings
			DROP COLUMN retention_link_days,
			DROP COLUMN retention_hold_days,
			DROP COLUMN retention_mail_days,
			DROP COLUMN retention_note_days,
			DROP COLUMN retention_open_card_days;
	`);
};
