-- R-O09 retention purge of the 操作ログ (history: migration 20261126100000-least-privilege).
-- It deletes the start of the chain up to `upto_seq` only when every one of those rows is older
-- than the city's rule (city_settings.retention_audit_years, on the database's clock), and writes
-- the anchor that keeps the chain verifiable. Anything else is refused with SQLSTATE 42501.
-- SECURITY DEFINER with a fixed search_path (pg_temp last, so a temporary table of the caller can
-- never stand in for audit_log); db/roles.sql grants EXECUTE to the runtime role.
CREATE OR REPLACE FUNCTION audit_log_purge(upto_seq bigint) RETURNS integer
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
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
