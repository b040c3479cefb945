import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-S04: a phone booking keeps the caller's phone number (optional), for staff to call back.
 * Shown on the staff booking and counter pages only: never to citizens, never logged, and
 * cleared with the email by the retention rule (R-O09).
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`ALTER TABLE reservations ADD COLUMN phone varchar(20)`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`ALTER TABLE reservations DROP COLUMN phone`);
};
