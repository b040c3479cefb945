-- 操作ログ (R-O03, R-O09): append-only guards and the insert trigger. The triggers that call these
-- are created by the migrations (foundation, 20261125400000); only the bodies live here.

-- TRUNCATE of audit_log (and, before the chain existed, every UPDATE/DELETE).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE OR REPLACE FUNCTION audit_chain_head_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_chain_head cannot be deleted or truncated';
END $$;

-- Writers cannot choose the chain columns: a row is always inserted unsealed, and the sealer
-- (20-audit-seal.sql) chains it after its transaction commits. A role that does not own the log
-- cannot choose a row's time either: no backdated rows.
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

-- Append-only. Two exceptions:
-- * sealing: an UPDATE that only fills the three chain columns of an unsealed row, with the row's
--   true hash, made by the sealer (audit_log_seal_pending sets the transaction-local switch
--   mynumber.audit_seal) or from inside a trigger (the commit-time trigger of 20261125400000, which
--   is back only when migration 20261208070000 is rolled back). The runtime role has no UPDATE
--   privilege on audit_log at all, so neither path is open to it: only the SECURITY DEFINER sealer.
-- * R-O09: the retention purge (audit_log_purge), and only rows older than a year.
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
		AND (current_setting('mynumber.audit_seal', true) = 'on' OR pg_trigger_depth() > 1)
		AND (NEW.id, NEW.at, NEW.actor_type, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id, NEW.detail, NEW.ip)
			IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_type, OLD.actor_id, OLD.action, OLD.target_type, OLD.target_id, OLD.detail, OLD.ip)
		AND NEW.hash = audit_log_hash(NEW.prev_hash, NEW)
	THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'DELETE' AND current_setting('mynumber.audit_purge', true) = 'on' AND OLD.at < now() - interval '1 year' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only';
END $$;
