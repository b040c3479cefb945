-- Least privilege for the app's runtime role (issue 10, R-O03/R-O04).
--
-- Run by the OWNER of the tables (the role that runs the migrations) after every migration. The app
-- does it itself at boot (db/roles.ts); a city's DBA may also run it by hand:
--
--   psql "$DATABASE_OWNER_URL" -1 -v ON_ERROR_STOP=1 -v app_role=mynumber_app -f db/roles.sql
--
-- (-1: one transaction; the app sends the file as one multi-statement query, which is one too.)
-- It is idempotent: everything is first taken away from the runtime role, then given back table by
-- table, so a privilege granted by hand earlier does not linger. The runtime role gets:
--   * DML (SELECT, INSERT, UPDATE, DELETE) on the app's tables, USAGE on their sequences;
--   * on the operation log only SELECT and INSERT: no UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES;
--     the sealer (which chains rows after commit) and the retention purge run inside functions owned
--     by the owner (db/functions/, SECURITY DEFINER);
--   * SELECT only on the chain's head and anchor and on the migration list;
--   * DML on pg-boss's tables (the owner installs and migrates that schema);
--   * no CREATE on any schema, and it owns nothing, so it can neither DROP nor ALTER (no DISABLE
--     TRIGGER, no DROP TRIGGER) nor TRUNCATE anything.
-- The role itself is created once by the DBA (README "Database roles"), or by the app at boot when it
-- is given only a superuser's DATABASE_URL (as the embedded database of `npm start` is).

-- Nobody but the owner creates objects in public (already so by default since PostgreSQL 15).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM :"app_role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- The operation log: append and read only.
REVOKE ALL ON audit_log FROM :"app_role";
GRANT SELECT, INSERT ON audit_log TO :"app_role";
REVOKE ALL ON audit_chain_head, audit_chain_anchor, schema_migrations FROM :"app_role";
GRANT SELECT ON audit_chain_head, audit_chain_anchor, schema_migrations TO :"app_role";
-- The retention purge (R-O09): only rows older than the city's rule, see the least-privilege migration.
GRANT EXECUTE ON FUNCTION audit_log_purge(bigint) TO :"app_role";
-- The sealer (issue 17): it chains committed rows after their commit; the app's worker calls it.
GRANT EXECUTE ON FUNCTION audit_log_seal_pending(integer, boolean) TO :"app_role";

-- pg-boss: the owner creates and migrates the schema at boot; the runtime role only moves jobs.
CREATE SCHEMA IF NOT EXISTS pgboss;
REVOKE ALL ON SCHEMA pgboss FROM :"app_role";
GRANT USAGE ON SCHEMA pgboss TO :"app_role";
REVOKE ALL ON ALL TABLES IN SCHEMA pgboss FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO :"app_role";
-- tables pg-boss's owner-run migrations add later
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
