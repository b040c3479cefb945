import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { migrator, runMigrations } from '../../db/migrate.ts';
import { audit } from '../../src/lib/server/audit/write.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import { sealNow } from '../../src/lib/server/audit/seal.ts';
import { servedLocationIds } from '../../src/lib/server/users/view.ts';

/** The audit-chain migration on a database that already holds a log and staff with a location (R-O03, R-S01). */
let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'audit_migration');
});
afterAll(async () => t?.drop());

describe('migration 20261125400000-audit-chain-users', () => {
	it('R-O03 R-S01 chains the rows already there, copies location_id into the served set, and goes down and up again', async () => {
		const umzug = migrator(t.db.sequelize);
		await umzug.down({ to: '20261125400000-audit-chain-users' });
		const loc = await makeLocation(t.db);
		const staff = await makeStaff(t.db, 'clerk', 'pw-migration-1', 'migration.clerk');
		await t.db.sequelize.query(`UPDATE staff_users SET location_id = :loc WHERE id = :id`, { replacements: { loc: loc.id, id: staff.id } });
		// Rows written before the chain existed, with the old columns only.
		await t.db.sequelize.query(`INSERT INTO audit_log (actor_type, actor_id, action, detail) VALUES
			('staff', 'old1', 'login', '{}'), ('citizen', NULL, 'reservation.created', '{"note": "改行\\n"}'), ('system', NULL, 'x.y', '{}')`);

		// up again the way boot and tests migrate: the migrations, then db/functions
		await runMigrations(t.db.sequelize);
		const report = await verifyChain(t.db);
		expect(report).toMatchObject({ intact: true, rows: 3, lastSeq: '3' });
		await audit({ db: t.db }, { actorType: 'staff', actorId: 'new1', action: 'logout' });
		// written unsealed, chained by the sealer after commit (issue 17)
		expect(await verifyChain(t.db)).toMatchObject({ intact: true, rows: 3, pending: 1 });
		expect(await sealNow(t.db)).toBe(1);
		expect(await verifyChain(t.db)).toMatchObject({ intact: true, rows: 4, pending: 0 });
		expect(await servedLocationIds({ db: t.db }, staff.id)).toEqual([loc.id]);

		await umzug.down({ to: '20261125400000-audit-chain-users' });
		const [cols] = (await t.db.sequelize.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_log' AND column_name IN ('seq', 'hash')`)) as [unknown[], unknown];
		expect(cols).toEqual([]);
		await expect(t.db.sequelize.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
		await runMigrations(t.db.sequelize);
		expect(await verifyChain(t.db)).toMatchObject({ intact: true, rows: 4 });
	});
});
