import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import * as foundation from './migrations/20261123000000-foundation.ts';
import * as boardTokens from './migrations/20261123100000-board-tokens.ts';
import * as booking from './migrations/20261124000000-booking.ts';
import * as citizenJourney from './migrations/20261125000000-citizen-journey.ts';
import * as citizenDraft from './migrations/20261125010000-citizen-draft.ts';
import * as lists from './migrations/20261125200000-lists.ts';
import * as counterNotes from './migrations/20261125500000-counter-notes.ts';
import * as emergency from './migrations/20261125700000-emergency.ts';
import * as bulkMail from './migrations/20261125800000-bulk-mail.ts';
import * as nodeStatus from './migrations/20261125900000-node-status.ts';
import * as retention from './migrations/20261125910000-retention.ts';
import * as bookingFunctions from './migrations/20261126000000-booking-functions.ts';
import * as auditChainUsers from './migrations/20261125400000-audit-chain-users.ts';
import * as cardImport from './migrations/20261125100000-card-import.ts';
import * as leastPrivilege from './migrations/20261126100000-least-privilege.ts';
import * as citySettings from './migrations/20261208010000-city-settings.ts';
import * as idDocuments from './migrations/20261208010001-id-documents.ts';
import * as clerk from './migrations/20261208040000-clerk.ts';
import * as reservationPhone from './migrations/20261208050000-reservation-phone.ts';
import * as retentionDays from './migrations/20261208060000-retention-days.ts';
import * as auditSealer from './migrations/20261208070000-audit-sealer.ts';
import { applyFunctions } from './functions.ts';

/**
 * Migrations are listed explicitly rather than globbed: the production server runs this file
 * natively (Node type stripping) and the SvelteKit bundle never does, so a static list keeps
 * both the order and the module graph obvious.
 */
const MIGRATIONS = [
	{ name: '20261123000000-foundation', module: foundation },
	{ name: '20261123100000-board-tokens', module: boardTokens },
	{ name: '20261124000000-booking', module: booking },
	{ name: '20261125000000-citizen-journey', module: citizenJourney },
	{ name: '20261125010000-citizen-draft', module: citizenDraft },
	{ name: '20261125100000-card-import', module: cardImport },
	{ name: '20261125200000-lists', module: lists },
	{ name: '20261125400000-audit-chain-users', module: auditChainUsers },
	{ name: '20261125500000-counter-notes', module: counterNotes },
	{ name: '20261125700000-emergency', module: emergency },
	{ name: '20261125800000-bulk-mail', module: bulkMail },
	{ name: '20261125900000-node-status', module: nodeStatus },
	{ name: '20261125910000-retention', module: retention },
	{ name: '20261126000000-booking-functions', module: bookingFunctions },
	{ name: '20261126100000-least-privilege', module: leastPrivilege },
	{ name: '20261208010000-city-settings', module: citySettings },
	{ name: '20261208010001-id-documents', module: idDocuments },
	{ name: '20261208040000-clerk', module: clerk },
	{ name: '20261208050000-reservation-phone', module: reservationPhone },
	{ name: '20261208060000-retention-days', module: retentionDays },
	{ name: '20261208070000-audit-sealer', module: auditSealer }
];

export function migrator(sequelize: Sequelize) {
	return new Umzug({
		migrations: MIGRATIONS.map(({ name, module }) => ({
			name,
			up: module.up,
			down: module.down
		})),
		context: sequelize.getQueryInterface(),
		storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
		logger: undefined
	});
}

/**
 * Runs every pending migration. Each migration is one multi-statement query, which Postgres runs
 * as one implicit transaction, so a failing migration leaves nothing half-applied.
 * Several nodes may start at once: an advisory lock makes the others wait instead of racing.
 * Then the function bodies of db/functions/*.sql are applied (db/functions.ts), every time, in one
 * transaction. `then` runs under the same lock after both.
 */
export async function runMigrations(sequelize: Sequelize, opts: { then?: () => Promise<void> } = {}): Promise<string[]> {
	const MIGRATION_LOCK = 727_001;
	const umzug = migrator(sequelize);
	const conn = await sequelize.connectionManager.getConnection({ type: 'write' });
	try {
		await (conn as unknown as { query(sql: string): Promise<unknown> }).query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
		const done = await umzug.up();
		await applyFunctions(sequelize);
		// still under the lock: set-up that must follow the migrations once, e.g. the runtime role's grants (db/roles.ts)
		await opts.then?.();
		return done.map((m) => m.name);
	} finally {
		await (conn as unknown as { query(sql: string): Promise<unknown> }).query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`);
		sequelize.connectionManager.releaseConnection(conn);
	}
}
