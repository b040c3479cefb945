import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * The citizen's journey (R-C02 … R-C15) and its mail.
 *
 * - app_secrets: a secret generated once and shared by every node when JWT_SECRET is unset (the
 *   demo), so signed links survive restarts and work across nodes.
 * - citizen_links / citizen_sessions: the emailed single-use link and the session it opens.
 * - reservations get a public reference (tokens of the manage link are derived from it, signed;
 *   never stored), a random check-in code for the QR (no personal data in it) and the language of
 *   the mails.
 * - holds remember the session and the verified cards, so a confirm needs nothing but the
 *   acknowledgement and a card can be held only once.
 * - outbox rows get retry state: attempts, the next try, the last error, and failure.
 * - city settings: link lifetime, reminder days, maintenance; locations: address and access in
 *   both languages.
 */
export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		CREATE TABLE app_secrets (
			name varchar(32) PRIMARY KEY,
			value varchar(200) NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now()
		);

		CREATE TABLE citizen_links (
			id uuid PRIMARY KEY,
			email varchar(254) NOT NULL,
			lang varchar(2) NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en')),
			expires_at timestamptz NOT NULL,
			used_at timestamptz,
			created_at timestamptz NOT NULL DEFAULT now()
		);
		CREATE INDEX citizen_links_expires ON citizen_links (expires_at);

		CREATE TABLE citizen_sessions (
			id uuid PRIMARY KEY,
			email varchar(254) NOT NULL,
			lang varchar(2) NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en')),
			link_id uuid REFERENCES citizen_links(id) ON DELETE SET NULL,
			created_at timestamptz NOT NULL DEFAULT now(),
			expires_at timestamptz NOT NULL,
			revoked_at timestamptz
		);

		ALTER TABLE reservations
			ADD COLUMN public_ref uuid NOT NULL DEFAULT gen_random_uuid(),
			ADD COLUMN token_version integer NOT NULL DEFAULT 1,
			ADD COLUMN checkin_code varchar(40) NOT NULL DEFAULT ('MN' || upper(replace(gen_random_uuid()::text, '-', ''))),
			ADD COLUMN lang varchar(2) NOT NULL DEFAULT 'ja' CHECK (lang IN ('ja','en')),
			ADD COLUMN reminder_sent_at timestamptz;
		CREATE UNIQUE INDEX reservations_public_ref ON reservations (public_ref);
		CREATE UNIQUE INDEX reservations_checkin_code ON reservations (checkin_code);
		CREATE INDEX reservations_reminder_due ON reservations (date) WHERE status = 'active' AND reminder_sent_at IS NULL AND email IS NOT NULL;

		ALTER TABLE holds
			ADD COLUMN citizen_session_id uuid REFERENCES citizen_sessions(id) ON DELETE SET NULL,
			ADD COLUMN card_ids bigint[] NOT NULL DEFAULT '{}';
		CREATE INDEX holds_live_session ON holds (citizen_session_id) WHERE released_at IS NULL;
		CREATE INDEX holds_live_cards ON holds USING gin (card_ids) WHERE released_at IS NULL;
		-- the hold's token is optional now: a citizen session is the holder
		ALTER TABLE holds ALTER COLUMN token_hash DROP NOT NULL;

		ALTER TABLE outbox
			ADD COLUMN attempts integer NOT NULL DEFAULT 0,
			ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
			ADD COLUMN last_error varchar(500),
			ADD COLUMN failed_at timestamptz;
		CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE published_at IS NULL AND failed_at IS NULL;

		ALTER TABLE city_settings
			ADD COLUMN city_name_ja varchar(100) NOT NULL DEFAULT 'デモ市',
			ADD COLUMN city_name_en varchar(100) NOT NULL DEFAULT 'Demo City',
			ADD COLUMN link_minutes integer NOT NULL DEFAULT 30 CHECK (link_minutes BETWEEN 5 AND 1440),
			ADD COLUMN reminder_days integer NOT NULL DEFAULT 2 CHECK (reminder_days BETWEEN 0 AND 14),
			ADD COLUMN contact_ja varchar(200) NOT NULL DEFAULT '市民課 マイナンバーカード係',
			ADD COLUMN contact_en varchar(200) NOT NULL DEFAULT 'Citizens Division, My Number card desk',
			ADD COLUMN maintenance_active boolean NOT NULL DEFAULT false,
			ADD COLUMN maintenance_from timestamptz,
			ADD COLUMN maintenance_until timestamptz,
			ADD COLUMN maintenance_message_ja varchar(500) NOT NULL DEFAULT '',
			ADD COLUMN maintenance_message_en varchar(500) NOT NULL DEFAULT '';

		ALTER TABLE locations
			ADD COLUMN address_en varchar(200) NOT NULL DEFAULT '',
			ADD COLUMN access_ja varchar(300) NOT NULL DEFAULT '',
			ADD COLUMN access_en varchar(300) NOT NULL DEFAULT '';

		-- Precautions with real content by default (R-C08): ID documents, PINs, proxies.
		UPDATE purposes SET
			precautions_ja = E'・交付通知書（はがき）をお持ちください。\\n・本人確認書類をお持ちください（運転免許証・パスポートなどは1点、健康保険証・年金手帳などは2点）。\\n・通知カード、住民基本台帳カードをお持ちの方はご持参ください（返納いただきます）。\\n・窓口で暗証番号（数字4桁、英数字6〜16文字）を設定します。あらかじめお考えください。\\n・原則としてご本人の来庁が必要です。代理人による受け取りは、病気・障がいなどやむを得ない理由がある場合に限ります。事前にお問い合わせください。',
			precautions_en = E'- Bring the issuance notice (postcard).\\n- Bring proof of identity (one photo ID such as a driver''s licence or passport, or two others such as a health insurance card and a pension book).\\n- If you have a notification card or a Juki card, bring it (it will be returned to the city).\\n- You will set your PIN codes (4 digits, and 6–16 letters and digits) at the counter: think of them in advance.\\n- The card holder must come in person. Collection by a proxy is possible only for unavoidable reasons such as illness or disability: contact us first.'
		 WHERE code = 'card_issuance';
		UPDATE purposes SET
			precautions_ja = E'・マイナンバーカードをお持ちください。\\n・有効期限通知書が届いている方はお持ちください。\\n・署名用電子証明書（英数字6〜16文字）と利用者証明用電子証明書（数字4桁）の暗証番号が必要です。\\n・原則としてご本人の来庁が必要です。',
			precautions_en = E'- Bring your My Number card.\\n- Bring the expiry notice if you received one.\\n- You will need both PIN codes (signature: 6–16 letters and digits; user authentication: 4 digits).\\n- The card holder must come in person.'
		 WHERE code = 'ecert_renewal';
	`);
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE locations DROP COLUMN address_en, DROP COLUMN access_ja, DROP COLUMN access_en;
		ALTER TABLE city_settings DROP COLUMN city_name_ja, DROP COLUMN city_name_en, DROP COLUMN link_minutes, DROP COLUMN reminder_days,
			DROP COLUMN contact_ja, DROP COLUMN contact_en, DROP COLUMN maintenance_active, DROP COLUMN maintenance_from,
			DROP COLUMN maintenance_until, DROP COLUMN maintenance_message_ja, DROP COLUMN maintenance_message_en;
		DROP INDEX outbox_due;
		ALTER TABLE outbox DROP COLUMN attempts, DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN failed_at;
		DELETE FROM holds WHERE token_hash IS NULL;
		ALTER TABLE holds ALTER COLUMN token_hash SET NOT NULL;
		DROP INDEX holds_live_cards;
		DROP INDEX holds_live_session;
		ALTER TABLE holds DROP COLUMN citizen_session_id, DROP COLUMN card_ids;
		DROP INDEX reservations_reminder_due;
		DROP INDEX reservations_checkin_code;
		DROP INDEX reservations_public_ref;
		ALTER TABLE reservations DROP COLUMN public_ref, DROP COLUMN token_version, DROP COLUMN checkin_code, DROP COLUMN lang, DROP COLUMN reminder_sent_at;
		DROP TABLE citizen_sessions;
		DROP TABLE citizen_links;
		DROP TABLE app_secrets;
	`);
};
