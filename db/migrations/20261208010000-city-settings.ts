import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * R-S18: every city-wide setting is set on screen. The city's texts (name, contact, maintenance
 * message) become one jsonb object per text keyed by locale tag (DESIGN "Languages"; `ja`
 * required), keeping what the *_ja / *_en columns held; the privacy notice (/privacy) and help (/help) texts are new, with a sensible
 * Japanese and English default. The four integer rules are added with the exact lines other
 * branches use too (IF NOT EXISTS, no constraint: the use case's zod schema bounds them).
 */
export const PRIVACY_JA = `本市は、マイナンバーカード交付予約システム（以下「本システム」といいます。）で取得する個人情報を、個人情報の保護に関する法律その他の関係法令に従い、次のとおり適正に取り扱います。

1. 取得する情報
交付通知書に記載の番号、生年月日（ご本人の確認のため）、予約される方の氏名、予約の日時と場所、連絡用のメールアドレス。

2. 利用の目的
マイナンバーカードの交付・電子証明書の更新などの予約の受付、予約の確認・変更・取消のご連絡、来庁時の受付とご本人の確認、交付事務の円滑な実施のためにだけ利用します。

3. 第三者への提供
法令に基づく場合を除き、ご本人の同意なく第三者に提供することはありません。

4. 安全管理
通信を暗号化し、情報を扱える職員を限り、操作の記録を残すなど、漏えい・滅失・毀損を防ぐための措置を講じます。

5. 保存期間
予約の記録は、市が定める保存期間が過ぎたあと消去します。

6. 開示などのご請求・お問い合わせ
ご自身の個人情報の開示・訂正・利用停止のご請求やお問い合わせは、下記のお問い合わせ先までご連絡ください。`;

export const PRIVACY_EN = `The city handles the personal information collected by this My Number card booking system in accordance with the Act on the Protection of Personal Information and related laws, as follows.

1. What we collect
The number printed on your issuance notice, your date of birth (to confirm your identity), the names of the people booked, the date, time and place of the visit, and an email address for contacting you.

2. Why we use it
Only to accept bookings for receiving a My Number card or renewing its certificates, to contact you about checking, changing or cancelling a booking, to check you in and confirm your identity at the counter, and to run the issuing work smoothly.

3. Sharing
We do not give your information to anyone else without your consent, except where the law requires it.

4. Security
Connections are encrypted, only authorised staff can see the information, and their actions are logged.

5. How long we keep it
Booking records are deleted after the retention period set by the city.

6. Your requests and questions
To see, correct or stop the use of your personal information, or for any question, please contact us (see the contact below).`;

export const HELP_JA = `予約に必要なものは何ですか。
交付通知書（はがき）に記載の番号と生年月日、予約の確認に使うメールアドレスが必要です。

家族の分もまとめて予約できますか。
1回の予約で複数の方（市が定める人数まで）をまとめて予約できます。お一人ずつ交付通知書の番号と生年月日を入力してください。

予約を確認・変更・取り消すには。
予約のあとに届くメールのリンクから、予約の確認・日時の変更・取消ができます。

メールが届きません。
迷惑メールのフォルダをご確認ください。届かないときは、もう一度メールアドレスを入力してリンクを受け取ってください。

当日は何を持って行けばよいですか。
交付通知書と本人確認書類（顔写真付きのもの1点、または顔写真のないもの2点）、お持ちの方は通知カードや住民基本台帳カードをお持ちください。予約完了のメールに記載の受付用QRコードもご用意ください。

予約の時間に遅れそうなときは。
そのままお越しください。遅れた時間によっては、予約のない方と同じ順番でのご案内になることがあります。`;

export const HELP_EN = `What do I need to book?
The number on your issuance notice (postcard), your date of birth, and an email address for the booking link.

Can I book for my family too?
Yes: one booking can include several people (up to the number the city allows). Enter each person's notice number and date of birth.

How do I check, change or cancel my booking?
Use the link in the email you receive after booking.

I did not receive the email.
Check your spam folder. If it is not there, enter your email address again to get a new link.

What should I bring on the day?
Your issuance notice and proof of identity (one photo ID, or two documents without a photo). If you have a notification card or a Juki card, bring it too. Have the check-in QR code from your booking email ready.

I will be late for my appointment.
Please come anyway. Depending on how late you are, you may be served in turn with visitors without a booking.`;

export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE city_settings ADD COLUMN IF NOT EXISTS late_arrival_minutes integer NOT NULL DEFAULT 15;
		ALTER TABLE city_settings ADD COLUMN IF NOT EXISTS change_cutoff_days integer NOT NULL DEFAULT 0;
		ALTER TABLE city_settings ADD COLUMN IF NOT EXISTS waitlist_offer_minutes integer NOT NULL DEFAULT 60;
		ALTER TABLE city_settings ADD COLUMN IF NOT EXISTS wait_alert_minutes integer NOT NULL DEFAULT 30;

		ALTER TABLE city_settings
			ADD COLUMN city_name jsonb,
			ADD COLUMN contact jsonb,
			ADD COLUMN privacy_notice jsonb,
			ADD COLUMN help jsonb,
			ADD COLUMN maintenance_message jsonb;
		UPDATE city_settings SET
			city_name = jsonb_strip_nulls(jsonb_build_object('ja', city_name_ja, 'en', nullif(city_name_en, ''))),
			contact = jsonb_strip_nulls(jsonb_build_object('ja', contact_ja, 'en', nullif(contact_en, ''))),
			privacy_notice = jsonb_build_object('ja', CAST(:privacyJa AS text), 'en', CAST(:privacyEn AS text)),
			help = jsonb_build_object('ja', CAST(:helpJa AS text), 'en', CAST(:helpEn AS text)),
			maintenance_message = jsonb_strip_nulls(jsonb_build_object('ja', maintenance_message_ja, 'en', nullif(maintenance_message_en, '')));
		ALTER TABLE city_settings
			ALTER COLUMN city_name SET DEFAULT '{"ja": "デモ市", "en": "Demo City"}',
			ALTER COLUMN city_name SET NOT NULL,
			ALTER COLUMN contact SET DEFAULT '{"ja": ""}',
			ALTER COLUMN contact SET NOT NULL,
			ALTER COLUMN privacy_notice SET DEFAULT '{"ja": ""}',
			ALTER COLUMN privacy_notice SET NOT NULL,
			ALTER COLUMN help SET DEFAULT '{"ja": ""}',
			ALTER COLUMN help SET NOT NULL,
			ALTER COLUMN maintenance_message SET DEFAULT '{"ja": ""}',
			ALTER COLUMN maintenance_message SET NOT NULL,
			-- (IS NOT DISTINCT FROM: a missing ja gives NULL, which a plain = would let through)
			ADD CONSTRAINT city_settings_texts_ja CHECK (
				jsonb_typeof(city_name->'ja') IS NOT DISTINCT FROM 'string' AND jsonb_typeof(contact->'ja') IS NOT DISTINCT FROM 'string'
				AND jsonb_typeof(privacy_notice->'ja') IS NOT DISTINCT FROM 'string' AND jsonb_typeof(help->'ja') IS NOT DISTINCT FROM 'string'
				AND jsonb_typeof(maintenance_message->'ja') IS NOT DISTINCT FROM 'string'),
			DROP COLUMN maintenance_message_ja,
			DROP COLUMN maintenance_message_en,
			DROP COLUMN city_name_ja,
			DROP COLUMN city_name_en,
			DROP COLUMN contact_ja,
			DROP COLUMN contact_en;
	`, { replacements: { privacyJa: PRIVACY_JA, privacyEn: PRIVACY_EN, helpJa: HELP_JA, helpEn: HELP_EN } });
};

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => {
	await qi.sequelize.query(`
		ALTER TABLE city_settings
			ADD COLUMN city_name_ja varchar(100) NOT NULL DEFAULT 'デモ市',
			ADD COLUMN city_name_en varchar(100) NOT NULL DEFAULT 'Demo City',
			ADD COLUMN contact_ja varchar(200) NOT NULL DEFAULT '市民課 マイナンバーカード係',
			ADD COLUMN contact_en varchar(200) NOT NULL DEFAULT 'Citizens Division, My Number card desk',
			ADD COLUMN maintenance_message_ja varchar(500) NOT NULL DEFAULT '',
			ADD COLUMN maintenance_message_en varchar(500) NOT NULL DEFAULT '';
		UPDATE city_settings SET
			maintenance_message_ja = left(maintenance_message->>'ja', 500),
			maintenance_message_en = left(coalesce(maintenance_message->>'en', ''), 500),
			city_name_ja = left(city_name->>'ja', 100),
			city_name_en = left(coalesce(city_name->>'en', ''), 100),
			contact_ja = left(contact->>'ja', 200),
			contact_en = left(coalesce(contact->>'en', ''), 200);
		ALTER TABLE city_settings
			DROP CONSTRAINT city_settings_texts_ja,
			DROP COLUMN city_name,
			DROP COLUMN contact,
			DROP COLUMN privacy_notice,
			DROP COLUMN help,
			DROP COLUMN maintenance_message;
		ALTER TABLE city_settings DROP COLUMN IF EXISTS late_arrival_minutes;
		ALTER TABLE city_settings DROP COLUMN IF EXISTS change_cutoff_days;
		ALTER TABLE city_settings DROP COLUMN IF EXISTS waitlist_offer_minutes;
		ALTER TABLE city_settings DROP COLUMN IF EXISTS wait_alert_minutes;
	`);
};
