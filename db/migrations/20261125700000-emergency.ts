import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-O07: the list of emergency contacts and the notices sent to them. A notice may also be shown
 * as a banner on every citizen page and wall board until an admin ends it.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE emergency_contacts (
			id serial PRIMARY KEY,
			name varchar(100) NOT NULL,
			email varchar(254) NOT NULL,
			active boolean NOT NULL DEFAULT true,
			created_at timestamptz NOT NULL DEFAULT now(),
			UNIQUE (email)
		);
		CREATE TABLE emergency_notices (
			id bigserial PRIMARY KEY,
			message_ja varchar(1000) NOT NULL,
			message_en varchar(1000) NOT NULL DEFAULT '',
			banner boolean NOT NULL DEFAULT false,
			recipients integer NOT NULL DEFAULT 0,
			created_by varchar(64) NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now(),
			ended_at timestamptz
		);
		CREATE INDEX emergency_notices_banner ON emergency_notices (created_at DESC) WHERE banner AND ended_at IS NULL;
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`DROP TABLE emergency_notices; DROP TABLE emergency_contacts;`);
};
