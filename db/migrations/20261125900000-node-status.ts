import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/** R-O06: each app node says every few seconds that it is alive, with its release and sockets, for the city's status page. */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE node_heartbeats (
			node_id varchar(64) PRIMARY KEY,
			host varchar(128) NOT NULL,
			pid integer NOT NULL,
			release varchar(64) NOT NULL,
			started_at timestamptz NOT NULL,
			last_seen timestamptz NOT NULL DEFAULT now(),
			sockets integer NOT NULL DEFAULT 0
		);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`DROP TABLE node_heartbeats;`);
};
