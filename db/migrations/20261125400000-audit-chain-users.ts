import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * 操作ログ tamper evidence (R-O03) and the locations a staff user serves (R-S01).
 *
 * Hash chain. Every audit_log row gets `seq` (its place in the chain, 1, 2, 3 …), `prev_hash` and
 * `hash = sha256(prev_hash || canonical text of the row)`, set by triggers, so every writer —
 * Sequelize models and the raw INSERTs of the booking path alike — is chained, and a writer cannot
 * choose the values (a BEFORE INSERT trigger blanks them).
 *
 * The chaining runs at COMMIT, in a deferred constraint trigger: it locks the one-row table
 * audit_chain_head, takes the next seq and the previous hash, and seals the row. Concurrent
 * transactions on any node queue on that row lock only for the length of their own commit, so the
 * chain order is the commit order and can never fork. (The first version chained in a BEFORE INSERT
 * trigger, holding the lock from the insert to the commit including the app's round trips: under
 * load on 2 cores that cut staff bookings from ~160/s to 43/s; chaining at commit keeps the lock out
 * of the app's round trips. A row lock rather than an advisory lock plus a SELECT of the last row:
 * after waiting, UPDATE re-reads the newest head whatever the snapshot.)
 *
 * Sealing is an UPDATE of the three chain columns, which the append-only guard allows only from
 * inside that trigger (pg_trigger_depth() > 1), only on an unsealed row and only when nothing else
 * changes. A committed row is therefore always sealed; one that is not shows that triggers were off.
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

		CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

		-- Writers cannot choose the chain columns.
		CREATE FUNCTION audit_log_blank_chain() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			NEW.seq := NULL;
			NEW.prev_hash := NULL;
			NEW.hash := NULL;
			RETURN NEW;
		END $$;
		CREATE TRIGGER audit_log_blank_chain BEFORE INSERT ON audit_log
			FOR EACH ROW EXECUTE FUNCTION audit_log_blank_chain();

		-- At commit: the next place in the chain (the head row stays locked until the commit ends).
		CREATE FUNCTION audit_log_seal() RETURNS trigger LANGUAGE plpgsql AS $$
		DECLARE
			head audit_chain_head%ROWTYPE;
			r audit_log := NEW;
		BEGIN
			UPDATE audit_chain_head SET seq = seq + 1 WHERE id RETURNING * INTO head;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'audit_chain_head is missing';
			END IF;
			r.seq := head.seq;
			r.prev_hash := head.hash;
			r.hash := audit_log_hash(head.hash, r);
			UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
			UPDATE audit_chain_head SET hash = r.hash WHERE id;
			RETURN NULL;
		END $$;
		CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_seal();

		-- Append-only, except the seal above: from inside a trigger, on an unsealed row, chain columns only.
		CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
				AND (NEW.id, NEW.at, NEW.actor_type, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id, NEW.detail, NEW.ip)
					IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_type, OLD.actor_id, OLD.action, OLD.target_type, OLD.target_id, OLD.detail, OLD.ip)
			THEN
				RETURN NEW;
			END IF;
			RAISE EXCEPTION 'audit_log is append-only';
		END $$;
		DROP TRIGGER audit_log_no_update ON audit_log;
		CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
			FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
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
		DROP TRIGGER audit_log_no_update ON audit_log;
		CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
			FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
		DROP FUNCTION audit_log_guard();
		DROP TRIGGER audit_log_seal ON audit_log;
		DROP FUNCTION audit_log_seal();
		DROP TRIGGER audit_log_blank_chain ON audit_log;
		DROP FUNCTION audit_log_blank_chain();
		DROP INDEX audit_log_seq;
		DROP FUNCTION audit_log_hash(text, audit_log);
		DROP FUNCTION audit_log_canonical(audit_log);
		DROP FUNCTION audit_json_str(text);
		ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;
		DROP TABLE audit_chain_head;
		DROP FUNCTION audit_chain_head_keep();
	`);
};
