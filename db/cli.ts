/**
 * `npm run db:migrate` / `npm run db:seed` against DATABASE_URL (required here: the embedded
 * database belongs to a running `npm start`). `db:migrate down` reverts the last migration.
 */
import { randomBytes } from 'node:crypto';
import { createDb } from './index.ts';
import { migrator, runMigrations } from './migrate.ts';
import { seedDemo } from './seeds/demo.ts';
import { configFromEnvOrExit } from '../src/lib/server/config.ts';

const [command, arg] = process.argv.slice(2);
const config = configFromEnvOrExit();
if (!config.DATABASE_URL) {
	console.error('DATABASE_URL is not set. Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mynumber npm run db:migrate');
	process.exit(1);
}
const db = createDb(config.DATABASE_URL);
try {
	if (command === 'migrate' && arg === 'down') {
		const reverted = await migrator(db.sequelize).down();
		console.log(reverted.length ? `reverted: ${reverted.map((m) => m.name).join(', ')}` : 'nothing to revert');
	} else if (command === 'migrate') {
		const applied = await runMigrations(db.sequelize);
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
