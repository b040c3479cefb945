-- The 操作ログ sealer (R-O03). Rows are inserted unsealed (seq, prev_hash, hash null; the insert
-- trigger blanks them) and take no lock on any shared row, so no writer waits for another. One
-- sealer at a time chains them shortly after they commit (server/sealer.ts calls this every few
-- hundred milliseconds on every node; the advisory lock lets exactly one of them seal at a time).
--
-- Order. Each pass takes every committed row that is still unsealed, in id order, and gives each
-- the next seq and the hash over the previous one. A row is never skipped: rows are chosen by being
-- unsealed, not by an id watermark, so a transaction that took a lower id and commits after a
-- higher id was sealed is sealed by the next pass, with a later seq. The chain's order is therefore
-- the order in which rows became visible to the sealer (commit order between passes, id order
-- within one), as the commit-time trigger's was commit order. Keeping seq in id order instead
-- (sealing only below the lowest id of a transaction still open, via pg_snapshot_xmin) was not
-- chosen: one long transaction (a card import) would hold up sealing for the whole city, and ids
-- come from a sequence before the transaction's xid shows in snapshots, so it would need more
-- machinery for no gain: the verifier walks seq, never id.
--
-- A pass is one transaction: killed half-way, nothing of it stays, and the next pass starts from
-- the same head. At most p_limit rows per pass keep passes short; the caller repeats while a pass
-- comes back full. Returns the number of rows sealed, or -1 when another sealer is at work and
-- p_wait is false (p_wait true waits for it, then seals what is left: sealNow in tests and the CSV
-- export, which must see every row committed before it).
--
-- SECURITY DEFINER (owned by the owner, fixed search_path with pg_temp last): the runtime role has
-- no UPDATE on audit_log or audit_chain_head and gets only EXECUTE on this (db/roles.sql). Calling
-- it can do nothing but seal committed rows correctly.
CREATE OR REPLACE FUNCTION audit_log_seal_pending(p_limit integer DEFAULT 2000, p_wait boolean DEFAULT false) RETURNS integer
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
	head audit_chain_head%ROWTYPE;
	r audit_log;
	n integer := 0;
BEGIN
	-- the workers of every node ask several times a second: when nothing waits, take no lock at all
	IF NOT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NULL) THEN
		RETURN 0;
	END IF;
	IF p_wait THEN
		PERFORM pg_advisory_xact_lock(727002);
	ELSIF NOT pg_try_advisory_xact_lock(727002) THEN
		RETURN -1;
	END IF;
	-- under the lock, so a fresh snapshot per statement (READ COMMITTED) sees what the previous sealer committed
	SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'audit_chain_head is missing';
	END IF;
	PERFORM set_config('mynumber.audit_seal', 'on', true);
	FOR r IN SELECT * FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT greatest(coalesce(p_limit, 2000), 1) LOOP
		r.seq := head.seq + 1;
		r.prev_hash := head.hash;
		r.hash := audit_log_hash(head.hash, r);
		UPDATE audit_log SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
		head.seq := r.seq;
		head.hash := r.hash;
		n := n + 1;
	END LOOP;
	PERFORM set_config('mynumber.audit_seal', 'off', true);
	IF n > 0 THEN
		UPDATE audit_chain_head SET seq = head.seq, hash = head.hash WHERE id;
	END IF;
	RETURN n;
END $$;
REVOKE EXECUTE ON FUNCTION audit_log_seal_pending(integer, boolean) FROM PUBLIC;
