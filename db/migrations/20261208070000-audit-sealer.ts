import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Issue 17 (R-O03): no global lock per commit. Until now every audited commit ran the deferred
 * trigger audit_log_seal, which updated the one row audit_chain_head inside the committing
 * transaction, so every staff and citizen write in the city queued behind every other at commit.
 * Now rows are inserted unsealed and one sealer chains them shortly after commit
 * (db/functions/20-audit-seal.sql, server/sealer.ts); the hash definition is unchanged.
 *
 * This migration only changes the schema; the bodies (the sealer, the guard that lets it seal) are
 * in db/functions and applied right after the migrations. The trigger function audit_log_seal()
 * stays in the database, unused, so `down` can put its trigger back by name without pasting a body
 * (the guard in db/functions still accepts a seal made from inside a trigger for that case).
 * The partial index finds the unsealed rows without a scan.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP TRIGGER audit_log_seal ON audit_log;
		CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL;
	`);
};

/** Mirrors up. A row still unsealed at that moment would stay so: seal first (sealNow, src/lib/server/audit/seal.ts). */
export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP INDEX audit_log_unsealed;
		CREATE CONSTRAINT TRIGGER audit_log_seal AFTER INSERT ON audit_log
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_seal();
	`);
};
