import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Scheduling settings and the booking core (R-S04–R-S07, R-S17, R-C12, R-C15).
 *
 * A location's schedule rules are stored as jsonb in the shapes of src/lib/domain/schedule
 * (HoursPattern[], WeeklyPlan, DateException[], TimeRangeException[], BookingWindow): the domain
 * validators decide what is valid, so Postgres keeps the whole set and one row per location.
 * Counters on slots (booked, held) are what bookings race on; the partial unique index on
 * reservation_persons is what makes a double booking of one card impossible.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE purposes (
			id serial PRIMARY KEY,
			code varchar(32) NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_-]+$'),
			name_ja varchar(100) NOT NULL,
			name_en varchar(100) NOT NULL,
			duration_slots integer NOT NULL DEFAULT 1 CHECK (duration_slots BETWEEN 1 AND 12),
			precautions_ja text NOT NULL DEFAULT '',
			precautions_en text NOT NULL DEFAULT '',
			active boolean NOT NULL DEFAULT true,
			sort_order integer NOT NULL DEFAULT 0,
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now()
		);
		-- The product exists for card issuance: its purpose is reference data, not demo data.
		INSERT INTO purposes (code, name_ja, name_en, duration_slots, precautions_ja, precautions_en, sort_order) VALUES
			('card_issuance', 'カードの交付', 'Card issuance', 1,
			 '交付通知書、本人確認書類、お持ちの方は通知カード・住民基本台帳カードをお持ちください。ご本人が来庁してください。',
			 'Bring the issuance notice, proof of identity, and your notification card or Juki card if you have one. The card holder must come in person.', 1),
			('ecert_renewal', '電子証明書の更新', 'Electronic certificate renewal', 1,
			 'マイナンバーカードと、有効期限通知書をお持ちの方はその通知書をお持ちください。暗証番号が必要です。',
			 'Bring your My Number card and, if you received it, the expiry notice. You will need your PIN codes.', 2);

		-- One row per location; a location without a row has no window yet (slots alone decide).
		CREATE TABLE location_schedules (
			location_id integer PRIMARY KEY REFERENCES locations(id) ON DELETE CASCADE,
			patterns jsonb NOT NULL CHECK (jsonb_typeof(patterns) = 'array'),
			weekly jsonb NOT NULL CHECK (jsonb_typeof(weekly) = 'array' AND jsonb_array_length(weekly) = 7),
			date_exceptions jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(date_exceptions) = 'array'),
			range_exceptions jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(range_exceptions) = 'array'),
			booking_window jsonb NOT NULL CHECK (jsonb_typeof(booking_window) = 'object'),
			-- purposes offered here; NULL offers every active purpose
			purpose_ids integer[],
			updated_by varchar(64),
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now()
		);

		-- City-wide settings: a single row.
		CREATE TABLE city_settings (
			id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
			max_persons_per_booking integer NOT NULL DEFAULT 5 CHECK (max_persons_per_booking BETWEEN 1 AND 5),
			hold_minutes integer NOT NULL DEFAULT 10 CHECK (hold_minutes BETWEEN 1 AND 60),
			updated_at timestamptz NOT NULL DEFAULT now()
		);
		INSERT INTO city_settings DEFAULT VALUES;

		-- A live capacity change by a supervisor is kept when the rules regenerate slots.
		ALTER TABLE slots ADD COLUMN capacity_manual boolean NOT NULL DEFAULT false;

		CREATE SEQUENCE reservation_number_seq;
		CREATE TABLE reservations (
			id bigserial PRIMARY KEY,
			booking_number varchar(16) NOT NULL UNIQUE,
			location_id integer NOT NULL REFERENCES locations(id),
			purpose_id integer NOT NULL REFERENCES purposes(id),
			party_size integer NOT NULL CHECK (party_size BETWEEN 1 AND 5),
			status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active','cancelled','no_show','completed')),
			-- the visit, copied from its slots so lists and boards need no join and history survives slot removal
			date date NOT NULL,
			starts_at timestamptz NOT NULL,
			ends_at timestamptz NOT NULL,
			checked_in_at timestamptz,
			email varchar(254),
			source varchar(8) NOT NULL CHECK (source IN ('citizen','staff','import')),
			created_by varchar(64),
			override_reason varchar(500),
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now(),
			cancelled_at timestamptz,
			CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
		);
		CREATE INDEX reservations_location_date ON reservations (location_id, date) WHERE status <> 'cancelled';

		CREATE TABLE reservation_slots (
			reservation_id bigint NOT NULL REFERENCES reservations(id) ON DELETE CASCADE,
			-- a slot is removed only when nothing is booked or held in it; past links go with it
			slot_id bigint NOT NULL REFERENCES slots(id) ON DELETE CASCADE,
			PRIMARY KEY (reservation_id, slot_id)
		);
		CREATE INDEX reservation_slots_slot ON reservation_slots (slot_id);

		CREATE TABLE reservation_persons (
			id bigserial PRIMARY KEY,
			reservation_id bigint NOT NULL REFERENCES reservations(id) ON DELETE CASCADE,
			card_record_id bigint NOT NULL REFERENCES card_records(id),
			position smallint NOT NULL DEFAULT 1,
			active boolean NOT NULL DEFAULT true,
			created_at timestamptz NOT NULL DEFAULT now(),
			updated_at timestamptz NOT NULL DEFAULT now()
		);
		-- R-C12: one card, at most one active reservation, whatever races
		CREATE UNIQUE INDEX reservation_persons_one_active_per_card ON reservation_persons (card_record_id) WHERE active;
		CREATE INDEX reservation_persons_reservation ON reservation_persons (reservation_id);

		-- R-S08: every status change of a card, with who, when, from, to and a note
		CREATE TABLE card_status_history (
			id bigserial PRIMARY KEY,
			card_record_id bigint NOT NULL REFERENCES card_records(id),
			from_status varchar(32) NOT NULL,
			to_status varchar(32) NOT NULL,
			actor_type varchar(16) NOT NULL CHECK (actor_type IN ('staff','citizen','system')),
			actor_id varchar(64),
			reservation_id bigint REFERENCES reservations(id),
			note varchar(500),
			at timestamptz NOT NULL DEFAULT now()
		);
		CREATE INDEX card_status_history_card ON card_status_history (card_record_id, at);

		-- R-C15: capacity held for a citizen while confirming; only a hash of the token is kept
		CREATE TABLE holds (
			id uuid PRIMARY KEY,
			location_id integer NOT NULL REFERENCES locations(id),
			purpose_id integer NOT NULL REFERENCES purposes(id),
			slot_ids bigint[] NOT NULL CHECK (cardinality(slot_ids) >= 1),
			party_size integer NOT NULL CHECK (party_size BETWEEN 1 AND 5),
			token_hash char(64) NOT NULL,
			expires_at timestamptz NOT NULL,
			released_at timestamptz,
			release_reason varchar(16) CHECK (release_reason IN ('expired','cancelled','confirmed')),
			reservation_id bigint REFERENCES reservations(id),
			created_at timestamptz NOT NULL DEFAULT now(),
			CHECK ((released_at IS NULL) = (release_reason IS NULL))
		);
		CREATE INDEX holds_live ON holds (expires_at) WHERE released_at IS NULL;
		CREATE INDEX holds_live_slots ON holds USING gin (slot_ids) WHERE released_at IS NULL;

		-- Written in the booking transaction, delivered later (mail, integrations): nothing is lost on a crash.
		CREATE TABLE outbox (
			id bigserial PRIMARY KEY,
			topic varchar(64) NOT NULL,
			payload jsonb NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now(),
			published_at timestamptz
		);
		CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		DROP TABLE outbox;
		DROP TABLE holds;
		DROP TABLE card_status_history;
		DROP TABLE reservation_persons;
		DROP TABLE reservation_slots;
		DROP TABLE reservations;
		DROP SEQUENCE reservation_number_seq;
		ALTER TABLE slots DROP COLUMN capacity_manual;
		DROP TABLE city_settings;
		DROP TABLE location_schedules;
		DROP TABLE purposes;
	`);
};
