/**
 * db/functions/*.sql: the PL/pgSQL and SQL function bodies the app relies on, as
 * `CREATE OR REPLACE FUNCTION …` (DESIGN "Layout"). A rule changes in one place; a migration never
 * pastes a function body again (the bodies inside older migrations are history: a fresh database
 * still migrates from zero with them, then these replace them).
 *
 * Applied by db/migrate.ts runMigrations after the migrations, on every boot and in every test
 * database, as the owner, under the migration lock, in file-name order (00-, 10-, … so a function
 * is there before one that calls it at creation time), in one transaction: all or nothing. Applying
 * them again changes nothing (idempotent). CREATE OR REPLACE keeps a function's owner and grants; a
 * file that creates a new function revokes EXECUTE from PUBLIC itself when it must not be public, and
 * db/roles.sql (which runs after) grants the runtime role what it may call.
 *
 * Triggers stay created by migrations: they name their function, whose body lives here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Sequelize } from 'sequelize';

const DIR = new URL('./functions/', import.meta.url);

/** The files, in the order they are applied. */
export function functionFiles(): { name: string; sql: string }[] {
	return readdirSync(DIR)
		.filter((f) => f.endsWith('.sql'))
		.sort()
		.map((name) => ({ name, sql: readFileSync(new URL(name, DIR), 'utf8') }));
}

export async function applyFunctions(sequelize: Sequelize): Promise<string[]> {
	const files = functionFiles();
	await sequelize.transaction(async (transaction) => {
		for (const f of files) {
			try {
				await sequelize.query(f.sql, { transaction });
			} catch (e) {
				throw new Error(`db/functions/${f.name}: ${(e as Error).message}`, { cause: e });
			}
		}
	});
	return files.map((f) => f.name);
}
