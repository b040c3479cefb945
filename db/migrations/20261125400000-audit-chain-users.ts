import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * 操作ログ tamper evidence (R-O03) and the locations a staff user serves (R-S01).
 *
 * Hash chain. Every audit_log row gets `seq` (its place in the chain, 1, 2, 3 …), `prev_hash` and
 * `hash = sha256(prev_hash || canonical text of the row)`, all set by a BEFORE INSERT trigger, so
 * every writer — Sequelize models and the raw INSERTs of the booking path alike — is chained, and a
 * client cannot choose the values. The trigger takes the row lock of the one-row table
 * audit_chain_head and keeps it until commit: concurrent transactions on any node queue there, so
 * the chain order is the order in which rows were inserted and can never fork. (A row lock rather
 * than an advisory lock plus a SELECT of the last row: after waiting, UPDATE re-reads the newest
 * head even under a snapshot taken earlier, and under REPEATABLE READ it fails with a retryable
 * serialization error instead of silently forking.) Booking writes its audit row last, so the lock
 * is held for one statement and the commit.
 *
 * The canonical text is a JSON array of strings (or null), every value as Postgres prints it:
 *   [seq, id, at (UTC, microseconds, …Z), actor_type, actor_id, action, target_type, target_id, detail::text, ip]
 * JSON string escaping in Postgres (to_json) and in JavaScript (JSON.stringify) is the same for
 * every valid UTF-8 text, so the verifier (src/lib/server/audit/chain.ts) recomputes it in Node.
 *
 * TRUNCATE is refused like UPDATE and DELETE. A database superuser (or the table owner) can still
 * disable or drop these triggers; the chain then shows where rows were changed, and the
 * least-privilege application role of issue 10 removes that power from the app.
 *
 * Existing rows are chained in id order here, so a database that already holds a log verifies.
 *
 * staff_user_locations: the set of locations a user serves; no rows means every location. The old
 * staff_users.location_id is copied in and kept as a mirror: the one location when a user serves
 * exactly one, otherwise NULL (the user-admin use cases maintain it).
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE audit_chain_head (
			id boolean PRIMARY KEY DEFAULT true CHECK (id),
			seq bigint NOT NULL,
			hash char(64) NOT NULL
		);
		CREATE FUNCTION audit_chain_head_keep() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			RAISE EXCEPTION 'audit_chain_head cannot be deleted or truncated';
		END $$;
		CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
			FOR EACH ROW EXECUTE FUNCTION audit_chain_head_keep();
		CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
			FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_keep();

		ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash char(64), ADD COLUMN hash char(64);

		CREATE FUNCTION audit_json_str(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
			SELECT coalesce(to_json(v)::text, 'null')
		$$;

		CREATE FUNCTION audit_log_canonical(r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
			SELECT '[' || concat_ws(',',
				audit_json_str(r.seq::text),
				audit_json_str(r.id::text),
				audit_json_str(to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
				audit_json_str(r.actor_type),
				audit_json_str(r.actor_id),
				audit_json_str(r.action),
				audit_json_str(r.target_type),
				audit_json_str(r.target_id),
				audit_json_str(r.detail::text),
				audit_json_str(r.ip)
			) || ']'
		$$;

		CREATE FUNCTION audit_log_hash(prev text, r audit_log) RETURNS char(64) LANGUAGE sql STABLE AS $$
			SELECT encode(sha256(convert_to(prev || audit_log_canonical(r), 'UTF8')), 'hex')
		$$;

		-- Chain what is already there, in id order (the append-only trigger is off for this one statement block).
		ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
		DO $$
		DECLARE
			r audit_log;
			prev char(64) := repeat('0', 64);
			n bigint := 0;
		BEGIN
			FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
				n := n + 1;
				r.seq := n;
				r.prev_hash := prev;
				r.hash := audit_log_hash(prev, r);
				UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
				prev := r.hash;
			END LOOP;
			INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, n, prev);
		END $$;
		ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
		ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
		CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

		CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
		DECLARE
			head audit_chain_head%ROWTYPE;
		BEGIN
			-- The head row stays locked until this transaction ends: concurrent writers queue here.
			UPDATE audit_chain_head SET seq = seq + 1 WHERE id RETURNING * INTO head;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'audit_chain_head is missing';
			END IF;
			NEW.seq := head.seq;
			NEW.prev_hash := head.hash;
			NEW.hash := audit_log_hash(head.hash, NEW);
			UPDATE audit_chain_head SET hash = NEW.hash WHERE id;
			RETURN NEW;
		END $$;
		CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
			FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
		CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
			FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

		-- The viewer's filters (R-O03).
		CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
		CREATE INDEX audit_log_action ON audit_log (action, at);
		CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

		CREATE TABLE staff_user_locations (
			staff_user_id integer NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
			location_id integer NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
			PRIMARY KEY (staff_user_id, location_id)
		);
		INSERT INTO staff_user_locations (staff_user_id, location_id)
			SELECT id, location_id FROM staff_users WHERE location_id IS NOT NULL;
	`);
};

/** Mirrors up. The chain columns go with their trigger; the log rows themselves stay. */
export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP TABLE staff_user_locations;
		DROP INDEX audit_log_actor;
		DROP INDEX audit_log_action;
		DROP INDEX audit_log_target;
		DROP TRIGGER audit_log_no_truncate ON audit_log;
		DROP TRIGGER audit_log_chain ON audit_log;
		DROP FUNCTION audit_log_chain();
		DROP INDEX audit_log_seq;
		DROP FUNCTION audit_log_hash(text, audit_log);
		DROP FUNCTION audit_log_canonical(audit_log);
		DROP FUNCTION audit_json_str(text);
		ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
		DROP TABLE audit_chain_head;
		DROP FUNCTION audit_chain_head_keep();
	`);
};
