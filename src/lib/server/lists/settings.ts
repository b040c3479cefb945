/**
 * Admin settings of the lists and the no-show follow-up (R-S11, R-S13):
 * - lead days of a transfer per (storage → issuing) pair, and the city default;
 * - subject and body (ja/en) of the follow-up mail, stored in mail_texts under 'reservation.no_show'.
 *   Without a row the mail's built-in template is used; the texts below are what the form offers.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError, type FieldError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { NO_SHOW_TOPIC } from '../noshow/mark.ts';

export const NO_SHOW_MAIL_KEY = NO_SHOW_TOPIC;
export const MAIL_VARIABLES = ['cityName', 'bookingNumber', 'date', 'time', 'locationName', 'bookingUrl'] as const;

export const NO_SHOW_DEFAULT_TEXTS = {
	ja: {
		subject: '【{{cityName}}】ご予約の日時にご来庁がありませんでした（予約番号 {{bookingNumber}}）',
		body: 'マイナンバーカードの受け取りのご予約（{{date}} {{time}}、{{locationName}}）の時間にご来庁が確認できませんでした。\n\nカードは引き続きお預かりしています。お手数ですが、次のリンクからあらためてご予約ください。\n{{bookingUrl}}\n\nこのメールに心当たりのない方、すでに受け取られた方は、このメールを破棄してください。\n\n{{cityName}}'
	},
	en: {
		subject: '[{{cityName}}] We missed you at your appointment (booking {{bookingNumber}})',
		body: 'You had an appointment to collect your My Number card on {{date}} at {{time}} ({{locationName}}), but we could not confirm your visit.\n\nWe are still keeping your card. Please book a new time here:\n{{bookingUrl}}\n\nIf you have already collected your card, please ignore this message.\n\n{{cityName}}'
	}
} as const;

type Lang = 'ja' | 'en';
export interface MailText {
	subject: string;
	body: string;
}

export async function listSettings(ctx: AppContext, principal: Principal | null) {
	requireRole(principal, 'admin');
	const [city] = await ctx.db.sequelize.query<{ d: number }>(`SELECT transfer_lead_days_default AS d FROM city_settings WHERE id = 1`, { type: QueryTypes.SELECT });
	const pairs = await ctx.db.sequelize.query<{ from: number; to: number; days: number }>(
		`SELECT from_location_id AS "from", to_location_id AS "to", days FROM transfer_lead_days`,
		{ type: QueryTypes.SELECT }
	);
	const texts = await ctx.db.sequelize.query<{ lang: Lang; subject: string; body: string }>(`SELECT lang, subject, body FROM mail_texts WHERE key = :key`, {
		replacements: { key: NO_SHOW_MAIL_KEY },
		type: QueryTypes.SELECT
	});
	const text = (lang: Lang) => {
		const row = texts.find((x) => x.lang === lang);
		return { subject: row?.subject ?? NO_SHOW_DEFAULT_TEXTS[lang].subject, body: row?.body ?? NO_SHOW_DEFAULT_TEXTS[lang].body, custom: !!row };
	};
	return { defaultDays: city?.d ?? 2, pairs, mail: { ja: text('ja'), en: text('en') } };
}

const days = (n: number) => Number.isInteger(n) && n >= 0 && n <= 30;
const DAYS_MESSAGE = '0〜30 の整数で入力してください';

function invalid(errors: FieldError[]): AppError {
	return new AppError('bad_request', '入力内容に誤りがあります。', { errors });
}

/** `pairs` with days null fall back to the default (their row is removed). */
export async function saveLeadDays(
	ctx: AppContext,
	principal: Principal | null,
	input: { defaultDays: number; pairs: { from: number; to: number; days: number | null }[] },
	ip?: string | null
): Promise<void> {
	const admin = requireRole(principal, 'admin');
	const errors: FieldError[] = [];
	if (!days(input.defaultDays)) errors.push({ field: 'defaultDays', message: DAYS_MESSAGE });
	for (const p of input.pairs) {
		if (p.from === p.to) errors.push({ field: `d_${p.from}_${p.to}`, message: '同じ場所の組み合わせは設定できません' });
		else if (p.days !== null && !days(p.days)) errors.push({ field: `d_${p.from}_${p.to}`, message: DAYS_MESSAGE });
	}
	if (errors.length) throw invalid(errors);
	const ids = new Set((await ctx.db.models.Location.findAll({ attributes: ['id'] })).map((l) => l.id));
	if (input.pairs.some((p) => !ids.has(p.from) || !ids.has(p.to))) throw new AppError('not_found', '指定された交付場所が見つかりません。');
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`UPDATE city_settings SET transfer_lead_days_default = :d, updated_at = now() WHERE id = 1`, { replacements: { d: input.defaultDays }, transaction: t });
		for (const p of input.pairs) {
			if (p.days === null) {
				await ctx.db.sequelize.query(`DELETE FROM transfer_lead_days WHERE from_location_id = :from AND to_location_id = :to`, { replacements: p, transaction: t });
			} else {
				await ctx.db.sequelize.query(
					`INSERT INTO transfer_lead_days (from_location_id, to_location_id, days, updated_by) VALUES (:from, :to, :days, :by)
					 ON CONFLICT (from_location_id, to_location_id) DO UPDATE SET days = EXCLUDED.days, updated_by = EXCLUDED.updated_by, updated_at = now()`,
					{ replacements: { ...p, by: admin.login }, transaction: t }
				);
			}
		}
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'settings.transfer_lead_days', targetType: 'city', targetId: 1, detail: { defaultDays: input.defaultDays, pairs: input.pairs }, ip }, t);
	});
}

/** R-S13 R-O04: the subject goes into a mail header, so line breaks are refused (header injection). */
export async function saveNoShowMailTexts(ctx: AppContext, principal: Principal | null, input: Record<Lang, MailText> | null, ip?: string | null): Promise<void> {
	const admin = requireRole(principal, 'admin');
	if (input) {
		const errors: FieldError[] = [];
		for (const lang of ['ja', 'en'] as const) {
			const { subject, body } = input[lang];
			if (!subject.trim()) errors.push({ field: `subject_${lang}`, message: '件名を入力してください' });
			else if (/[\r\n]/.test(subject)) errors.push({ field: `subject_${lang}`, message: '件名に改行は使えません' });
			else if (subject.length > 200) errors.push({ field: `subject_${lang}`, message: '件名は200文字以内にしてください' });
			if (!body.trim()) errors.push({ field: `body_${lang}`, message: '本文を入力してください' });
			else if (body.length > 5000) errors.push({ field: `body_${lang}`, message: '本文は5000文字以内にしてください' });
		}
		if (errors.length) throw invalid(errors);
	}
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`DELETE FROM mail_texts WHERE key = :key`, { replacements: { key: NO_SHOW_MAIL_KEY }, transaction: t });
		if (input) {
			for (const lang of ['ja', 'en'] as const) {
				await ctx.db.sequelize.query(`INSERT INTO mail_texts (key, lang, subject, body, updated_by) VALUES (:key, :lang, :subject, :body, :by)`, {
					replacements: { key: NO_SHOW_MAIL_KEY, lang, subject: input[lang].subject.trim(), body: input[lang].body.replace(/\r\n/g, '\n'), by: admin.login },
					transaction: t
				});
			}
		}
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: input ? 'settings.mail_texts' : 'settings.mail_texts_reset', targetType: 'mail_text', targetId: NO_SHOW_MAIL_KEY, ip }, t);
	});
}
