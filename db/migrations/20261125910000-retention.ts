import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-O09 retention. The city sets how long bookings with their persons' data, and operation-log
 * rows, are kept. Old bookings are kept as counts only (email and the link to the person gone),
 * cards in a final status lose their personal fields; the oldest audit rows may be deleted only
 * by the purge (a transaction-local setting), only when older than a year, and the chain then
 * starts from an anchor — the hash of the last purged row — so it stays verifiable.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE city_settings
			ADD COLUMN retention_reservation_months integer CHECK (retention_reservation_months BETWEEN 1 AND 240),
			ADD COLUMN retention_audit_years integer CHECK (retention_audit_years BETWEEN 1 AND 30);
		UPDATE city_settings SET retention_reservation_months = 24, retention_audit_years = 5;

		CREATE TABLE audit_chain_anchor (
			id boolean PRIMARY KEY DEFAULT true CHECK (id),
			seq bigint NOT NULL,
			hash char(64) NOT NULL,
			purged_at timestamptz NOT NULL DEFAULT now()
		);

		CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
				AND (NEW.id, NEW.at, NEW.actor_type, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id, NEW.detail, NEW.ip)
					IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_type, OLD.actor_id, OLD.action, OLD.target_type, OLD.target_id, OLD.detail, OLD.ip)
			THEN
				RETURN NEW;
			END IF;
			-- R-O09: the retention purge, and only rows older than a year
			IF TG_OP = 'DELETE' AND current_setting('mynumber.audit_purge', true) = 'on' AND OLD.at < now() - interval '1 year' THEN
				RETURN OLD;
			END IF;
			RAISE EXCEPTION 'audit_log is append-only';
		END $$;
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
				AND (NEW.id, NEW.at, NEW.actor_type, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id, NEW.detail, NEW.ip)
					IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_type, OLD.actor_id, OLD.action, OLD.target_type, OLD.target_id, OLD.detail, OLD.ip)
			THEN
				RETURN NEW;
			END IF;
			RAISE EXCEPTION 'audit_log is append-only';
		END $$;
		DROP TABLE audit_chain_anchor;
		ALTER TABLE city_settings DROP COLUMN retention_reservation_months, DROP COLUMN retention_audit_years;
	`);
};
