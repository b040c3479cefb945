import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-S12: a message staff compose for the citizens (with an email) of a chosen set of bookings,
 * and every recipient with the outbox row that carries it, so progress and results are recorded.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE bulk_mails (
			id bigserial PRIMARY KEY,
			subject varchar(200) NOT NULL,
			body text NOT NULL CHECK (length(body) <= 5000),
			criteria jsonb NOT NULL,
			recipients integer NOT NULL DEFAULT 0,
			created_by varchar(64) NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now()
		);
		CREATE TABLE bulk_mail_recipients (
			bulk_mail_id bigint NOT NULL REFERENCES bulk_mails(id),
			reservation_id bigint NOT NULL REFERENCES reservations(id),
			outbox_id bigint NOT NULL REFERENCES outbox(id),
			PRIMARY KEY (bulk_mail_id, reservation_id)
		);
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`DROP TABLE bulk_mail_recipients; DROP TABLE bulk_mails;`);
};
