import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Wall boards (R-L02) run unattended on a screen: instead of a staff login they hold a token an
 * admin issues for one location and can revoke. Only a hash of the token is stored.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE board_tokens (
			id serial PRIMARY KEY,
			location_id integer NOT NULL REFERENCES locations(id),
			label varchar(100) NOT NULL,
			token_hash char(64) NOT NULL UNIQUE,
			created_by varchar(64) NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now(),
			revoked_at timestamptz
		);
		CREATE INDEX board_tokens_location ON board_tokens (location_id);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`DROP TABLE board_tokens;`);
};
