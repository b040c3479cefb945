import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * What a citizen has chosen so far in the booking pages (purpose, location, the ids of the cards
 * verified for each person), kept on the session so that the calendar and the times can offer
 * only what fits, and a page reload or an expired hold loses nothing typed. Card ids only: the
 * typed notice IDs and birthdays are not kept. Holds remember how often they were extended.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE citizen_sessions ADD COLUMN draft jsonb;
		ALTER TABLE holds ADD COLUMN extensions integer NOT NULL DEFAULT 0;
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE holds DROP COLUMN extensions;
		ALTER TABLE citizen_sessions DROP COLUMN draft;
	`);
};
