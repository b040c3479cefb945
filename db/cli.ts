/**
 * `npm run db:migrate` / `npm run db:seed` against DATABASE_URL (required here: the embedded
 * database belongs to a running `npm start`). `db:migrate down` reverts the last migration.
 * With DATABASE_OWNER_URL set, they run as the owner, and `migrate` grants the runtime role
 * (DATABASE_APP_ROLE, when it exists) what db/roles.sql lists; boot does the same at every start.
 */
import { randomBytes } from 'node:crypto';
import { createDb } from './index.ts';
import { migrator, runMigrations } from './migrate.ts';
import { seedDemo } from './seeds/demo.ts';
import { applyGrants } from './roles.ts';
import { configFromEnvOrExit } from '../src/lib/server/config.ts';

const [command, arg] = process.argv.slice(2);
const config = configFromEnvOrExit();
if (!config.DATABASE_URL) {
	console.error('DATABASE_URL is not set. Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mynumber npm run db:migrate');
	process.exit(1);
}
// Issue 10: migrations and seeds run as the owner of the tables when DATABASE_OWNER_URL is set.
const db = createDb(config.DATABASE_OWNER_URL ?? config.DATABASE_URL);
try {
	if (command === 'migrate' && arg === 'down') {
		const reverted = await migrator(db.sequelize).down();
		console.log(reverted.length ? `reverted: ${reverted.map((m) => m.name).join(', ')}` : 'nothing to revert');
	} else if (command === 'migrate') {
		const applied = await runMigrations(db.sequelize, { then: () => grantIfPresent(config.DATABASE_APP_ROLE) });
		console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
	} else if (command === 'seed') {
		await runMigrations(db.sequelize);
		const password = config.DEMO_PASSWORD ?? randomBytes(9).toString('base64url');
		const counts = await seedDemo(db, { password });
		console.log(`demo city seeded: ${JSON.stringify(counts)}; staff admin / supervisor / clerk / viewer, password ${password}`);
	} else {
		console.error('usage: node db/cli.ts migrate [down] | seed');
		process.exitCode = 2;
	}
} finally {
	await db.close();
}

async function grantIfPresent(role: string) {
	const [rows] = (await db.sequelize.query(`SELECT 1 FROM pg_roles WHERE rolname = :role`, { replacements: { role } })) as [unknown[], unknown];
	if (rows.length) {
		await applyGrants(db.sequelize, role);
		console.log(`grants of db/roles.sql applied to ${role}`);
	}
}
