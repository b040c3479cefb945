import type { MigrationFn } from 'umzug';
import type { QueryInterface } from 'sequelize';

/**
 * Proof of identity at a 2026 counter: health insurance cards were discontinued in December 2025
 * and a pension book is no longer a current document, so the default precautions of card issuance
 * name today's documents. Only a text still equal to the old default is replaced: a city's own
 * wording is kept.
 */
const OLD_JA =
	'・交付通知書（はがき）をお持ちください。\n・本人確認書類をお持ちください（運転免許証・パスポートなどは1点、健康保険証・年金手帳などは2点）。\n・通知カード、住民基本台帳カードをお持ちの方はご持参ください（返納いただきます）。\n・窓口で暗証番号（数字4桁、英数字6〜16文字）を設定します。あらかじめお考えください。\n・原則としてご本人の来庁が必要です。代理人による受け取りは、病気・障がいなどやむを得ない理由がある場合に限ります。事前にお問い合わせください。';
const OLD_EN =
	"- Bring the issuance notice (postcard).\n- Bring proof of identity (one photo ID such as a driver's licence or passport, or two others such as a health insurance card and a pension book).\n- If you have a notification card or a Juki card, bring it (it will be returned to the city).\n- You will set your PIN codes (4 digits, and 6–16 letters and digits) at the counter: think of them in advance.\n- The card holder must come in person. Collection by a proxy is possible only for unavoidable reasons such as illness or disability: contact us first.";

export const NEW_JA =
	'・交付通知書（はがき）をお持ちください。\n・本人確認書類をお持ちください。顔写真付きの書類なら1点（運転免許証、パスポート、在留カード、身体障害者手帳など）、顔写真のない書類なら2点（資格確認書、年金証書、医療受給者証など）が必要です。\n・通知カード、住民基本台帳カードをお持ちの方はご持参ください（返納いただきます）。\n・窓口で暗証番号（数字4桁、英数字6〜16文字）を設定します。あらかじめお考えください。\n・原則としてご本人の来庁が必要です。代理人による受け取りは、病気・障がいなどやむを得ない理由がある場合に限ります。事前にお問い合わせください。';
export const NEW_EN =
	"- Bring the issuance notice (postcard).\n- Bring proof of identity: one document with your photo (such as a driver's licence, passport, residence card or physical disability certificate), or two without a photo (such as a health insurance eligibility certificate (shikaku kakunin-sho), a pension certificate or a medical benefit certificate).\n- If you have a notification card or a Juki card, bring it (it will be returned to the city).\n- You will set your PIN codes (4 digits, and 6–16 letters and digits) at the counter: think of them in advance.\n- The card holder must come in person. Collection by a proxy is possible only for unavoidable reasons such as illness or disability: contact us first.";

async function replace(qi: QueryInterface, from: { ja: string; en: string }, to: { ja: string; en: string }) {
	await qi.sequelize.query(
		`UPDATE purposes SET precautions_ja = :toJa WHERE code = 'card_issuance' AND precautions_ja = :fromJa;
		 UPDATE purposes SET precautions_en = :toEn WHERE code = 'card_issuance' AND precautions_en = :fromEn;`,
		{ replacements: { fromJa: from.ja, toJa: to.ja, fromEn: from.en, toEn: to.en } }
	);
}

export const up: MigrationFn<QueryInterface> = async ({ context: qi }) => replace(qi, { ja: OLD_JA, en: OLD_EN }, { ja: NEW_JA, en: NEW_EN });

export const down: MigrationFn<QueryInterface> = async ({ context: qi }) => replace(qi, { ja: NEW_JA, en: NEW_EN }, { ja: OLD_JA, en: OLD_EN });
