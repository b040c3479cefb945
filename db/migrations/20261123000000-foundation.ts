import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Foundation tables: locations, slots, card records, staff users and sessions, audit log.
 * Written as SQL because the constraints (checks, partial indexes, the append-only trigger)
 * are the point and read best in Postgres's own words.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE locations (
			id serial PRIMARY KEY,
			code varchar(32) NOT NULL UNIQUE,
			name_ja varchar(100) NOT NULL,
			name_en varchar(100) NOT NULL,
			address_ja varchar(200) NOT NULL DEFAULT '',
			citizen_bookable boolean NOT NULL DEFAULT true,
			sort_order integer NOT NULL DEFAULT 0,
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now()
		);

		CREATE TABLE slots (
			id bigserial PRIMARY KEY,
			location_id integer NOT NULL REFERENCES locations(id),
			date date NOT NULL,
			starts_at timestamptz NOT NULL,
			ends_at timestamptz NOT NULL,
			capacity integer NOT NULL CHECK (capacity >= 0),
			booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
			held integer NOT NULL DEFAULT 0 CHECK (held >= 0),
			checked_in integer NOT NULL DEFAULT 0 CHECK (checked_in >= 0),
			version bigint NOT NULL DEFAULT 1,
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now(),
			CHECK (ends_at > starts_at),
			UNIQUE (location_id, starts_at)
		);
		CREATE INDEX slots_location_date ON slots (location_id, date);

		CREATE TABLE card_records (
			id bigserial PRIMARY KEY,
			notice_id varchar(20) NOT NULL,
			birth_date date NOT NULL,
			name_kanji varchar(100) NOT NULL,
			name_kana varchar(100) NOT NULL,
			address varchar(200) NOT NULL DEFAULT '',
			storage_location_id integer NOT NULL REFERENCES locations(id),
			box_position varchar(40) NOT NULL DEFAULT '',
			status varchar(32) NOT NULL DEFAULT 'notice_sent' CHECK (status IN
				('notice_sent','reserved','checked_in','issued','needs_redo','no_show','returned','cancelled')),
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now(),
			-- notice IDs repeat across people: a card is notice ID + birth date (REQUIREMENTS domain words)
			UNIQUE (notice_id, birth_date)
		);
		CREATE INDEX card_records_status ON card_records (status);
		CREATE INDEX card_records_kana ON card_records (name_kana);

		CREATE TABLE staff_users (
			id serial PRIMARY KEY,
			login varchar(64) NOT NULL UNIQUE,
			display_name varchar(100) NOT NULL,
			role varchar(16) NOT NULL CHECK (role IN ('viewer','clerk','supervisor','admin')),
			location_id integer REFERENCES locations(id),
			password_hash text NOT NULL,
			failed_attempts integer NOT NULL DEFAULT 0,
			locked_until timestamptz,
			active boolean NOT NULL DEFAULT true,
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now()
		);

		CREATE TABLE staff_sessions (
			id uuid PRIMARY KEY,
			staff_user_id integer NOT NULL REFERENCES staff_users(id),
			created_at timestamptz NOT NULL DEFAULT now(),
			expires_at timestamptz NOT NULL,
			revoked_at timestamptz
		);
		CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);

		-- 操作ログ (R-O03): append-only; the trigger refuses UPDATE and DELETE so the log cannot be rewritten
		CREATE TABLE audit_log (
			id bigserial PRIMARY KEY,
			at timestamptz NOT NULL DEFAULT now(),
			actor_type varchar(16) NOT NULL CHECK (actor_type IN ('staff','citizen','system','anonymous')),
			actor_id varchar(64),
			action varchar(64) NOT NULL,
			target_type varchar(32),
			target_id varchar(64),
			detail jsonb NOT NULL DEFAULT '{}'::jsonb,
			ip varchar(64)
		);
		CREATE INDEX audit_log_at ON audit_log (at);
		CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			RAISE EXCEPTION 'audit_log is append-only';
		END $$;
		CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
			FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP TABLE audit_log;
		DROP FUNCTION audit_log_append_only();
		DROP TABLE staff_sessions;
		DROP TABLE staff_users;
		DROP TABLE card_records;
		DROP TABLE slots;
		DROP TABLE locations;
	`);
};
