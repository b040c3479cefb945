-- 操作ログ hash chain (R-O03): the canonical text of a row and its hash. The verifier recomputes the
-- same in Node (src/lib/server/audit/chain.ts); the canonical text is a JSON array of strings (or
-- null), every value as Postgres prints it:
--   [seq, id, at (UTC, microseconds, …Z), actor_type, actor_id, action, target_type, target_id, detail::text, ip]
-- History: migration 20261125400000-audit-chain-users.

CREATE OR REPLACE FUNCTION audit_json_str(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(to_json(v)::text, 'null')
$$;

CREATE OR REPLACE FUNCTION audit_log_canonical(r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
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

CREATE OR REPLACE FUNCTION audit_log_hash(prev text, r audit_log) RETURNS char(64) LANGUAGE sql STABLE AS $$
	SELECT encode(sha256(convert_to(prev || audit_log_canonical(r), 'UTF8')), 'hex')
$$;
