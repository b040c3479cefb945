import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Issue 10 (R-O03, R-O04): the app's runtime role owns nothing and may only SELECT and INSERT on
 * audit_log (db/roles.sql grants it). Two things that role still has to do on the log go through
 * functions owned by the owner (SECURITY DEFINER, fixed search_path with pg_temp last, so a
 * temporary table of the caller can never stand in for audit_log):
 *
 * - audit_log_seal, the commit-time trigger that chains a new row: it updates audit_chain_head and
 *   the row's own chain columns, which the runtime role has no privilege for.
 * - audit_log_purge(upto_seq), the retention purge (R-O09): it deletes the start of the chain up
 *   to `upto_seq` only when every one of those rows is older than the city's rule
 *   (city_settings.retention_audit_years, on the database's clock), and writes the anchor that
 *   keeps the chain verifiable. Anything else is refused with SQLSTATE 42501
 *   (insufficient_privilege). EXECUTE is revoked from PUBLIC; db/roles.sql grants it to the app.
 *
 * And a row written by a role that does not own audit_log gets the database's time, whatever `at` it
 * sent, so the runtime role cannot backdate a row (the owner still can: tests and imports of old logs).
 */
const SEARCH_PATH = 'SET search_path = pg_catalog, public, pg_temp';

export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER FUNCTION audit_log_seal() SECURITY DEFINER ${SEARCH_PATH};

		CREATE FUNCTION audit_log_purge(upto_seq bigint) RETURNS integer
			LANGUAGE plpgsql SECURITY DEFINER ${SEARCH_PATH} AS $$
		DECLARE
			years integer;
			cutoff timestamptz;
			last_row audit_log%ROWTYPE;
			n integer;
		BEGIN
			SELECT retention_audit_years INTO years FROM city_settings WHERE id = 1;
			IF years IS NULL THEN
				RAISE EXCEPTION 'audit_log_purge: no retention rule for the operation log (kept without limit)'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			cutoff := now() - make_interval(years => years);
			IF EXISTS (SELECT 1 FROM audit_log WHERE seq <= upto_seq AND at >= cutoff) THEN
				RAISE EXCEPTION 'audit_log_purge: rows up to seq % include rows newer than the retention rule (% years)', upto_seq, years
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			SELECT * INTO last_row FROM audit_log WHERE seq = upto_seq;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'audit_log_purge: no row with seq %', upto_seq USING ERRCODE = 'no_data_found';
			END IF;
			PERFORM set_config('mynumber.audit_purge', 'on', true);
			DELETE FROM audit_log WHERE seq <= upto_seq;
			GET DIAGNOSTICS n = ROW_COUNT;
			PERFORM set_config('mynumber.audit_purge', 'off', true);
			INSERT INTO audit_chain_anchor (id, seq, hash) VALUES (true, last_row.seq, last_row.hash)
				ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, purged_at = now();
			RETURN n;
		END $$;
		REVOKE EXECUTE ON FUNCTION audit_log_purge(bigint) FROM PUBLIC;

		-- A role that does not own the log cannot choose a row's time either: no backdated rows.
		CREATE OR REPLACE FUNCTION audit_log_blank_chain() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			NEW.seq := NULL;
			NEW.prev_hash := NULL;
			NEW.hash := NULL;
			IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID AND pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')) THEN
				NEW.at := pg_catalog.now();
			END IF;
			RETURN NEW;
		END $$;
	`);
};

/** Mirrors up. */
export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE OR REPLACE FUNCTION audit_log_blank_chain() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			NEW.seq := NULL;
			NEW.prev_hash := NULL;
			NEW.hash := NULL;
			RETURN NEW;
		END $$;
		DROP FUNCTION audit_log_purge(bigint);
		ALTER FUNCTION audit_log_seal() SECURITY INVOKER RESET search_path;
	`);
};
