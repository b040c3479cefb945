/**
 * R-S18 (with R-C02, R-C07, R-C11, R-C15): an admin sets every city-wide setting without SQL, through
 * `GET|PUT /api/v1/staff/settings/city` or the page /staff/settings/city — both call these.
 * A PUT may send any subset; each change is audited (fields, old → new: settings, never personal
 * data) in the same transaction and reaches every node at once (./cache.ts).
 */
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError, type FieldError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { LOCALES } from '../../domain/locale-text.ts';
import { COLUMNS, TEXT_KEYS, normalText, readCity, type CitySettingsView, type TextKey } from './read.ts';
import { forgetCity } from './cache.ts';

type NumberKey = Exclude<keyof CitySettingsView, TextKey>;

/**
 * Bounds of the numbers, and why:
 * - reminderDays 0–14: 0 sends none; a reminder more than two weeks ahead is not a reminder.
 * - linkMinutes 5–1440: long enough to open a mail, at most a day (the link is a key to bookings).
 * - holdMinutes 1–60: a hold blocks the place for everyone else; an hour is plenty to confirm.
 * - maxPersonsPerBooking 1–5: R-C07.
 * - changeCutoffDays 0–30: 0 is no cut-off; beyond a month would close changes for most bookings.
 * - waitlistOfferMinutes 10–1440: time to read the mail and confirm, at most a day of places held.
 * - lateArrivalMinutes 0–120: 0 is "no grace"; more than two hours is no longer a booked visit.
 * - waitAlertMinutes 5–240: an alert below five minutes would sound all day; four hours is a day.
 * The database CHECKs of the older columns agree (reminder, link, hold, persons).
 */
export const NUMBER_BOUNDS: Record<NumberKey, { min: number; max: number }> = {
	reminderDays: { min: 0, max: 14 },
	linkMinutes: { min: 5, max: 1440 },
	holdMinutes: { min: 1, max: 60 },
	maxPersonsPerBooking: { min: 1, max: 5 },
	changeCutoffDays: { min: 0, max: 30 },
	waitlistOfferMinutes: { min: 10, max: 1440 },
	lateArrivalMinutes: { min: 0, max: 120 },
	waitAlertMinutes: { min: 5, max: 240 }
};

/** Longest text per locale. */
export const TEXT_MAX: Record<TextKey, number> = { cityName: 100, contact: 300, privacyNotice: 5000, help: 5000 };

const localized = (max: number) =>
	z.strictObject(Object.fromEntries(LOCALES.map((l) => [l, l === 'ja' ? z.string().trim().min(1).max(max) : z.string().trim().max(max).optional()])) as Record<string, z.ZodType<string | undefined>>);

export const cityPatchSchema = z.strictObject({
	...(Object.fromEntries(TEXT_KEYS.map((k) => [k, localized(TEXT_MAX[k]).optional()])) as Record<TextKey, z.ZodOptional<ReturnType<typeof localized>>>),
	...(Object.fromEntries(Object.entries(NUMBER_BOUNDS).map(([k, b]) => [k, z.number().int().min(b.min).max(b.max).optional()])) as Record<NumberKey, z.ZodOptional<z.ZodNumber>>)
});
export type CityPatch = Partial<CitySettingsView>;

type Lang = 'ja' | 'en';

function message(issue: z.core.$ZodIssue, lang: Lang): FieldError[] {
	const en = lang === 'en';
	const path = issue.path.map(String);
	const top = path[0] as keyof CitySettingsView | undefined;
	if (issue.code === 'unrecognized_keys') {
		return issue.keys.map((k) => ({ field: [...path, k].join('.'), message: en ? 'Unknown field.' : 'この項目は設定できません（不明な項目です）。' }));
	}
	const field = path.length ? path.join('.') : '(body)';
	if (top && top in NUMBER_BOUNDS) {
		const b = NUMBER_BOUNDS[top as NumberKey];
		return [{ field, message: en ? `Enter a whole number from ${b.min} to ${b.max}.` : `${b.min}〜${b.max}の整数で入力してください` }];
	}
	if (top && (TEXT_KEYS as readonly string[]).includes(top)) {
		const max = TEXT_MAX[top as TextKey];
		if (path.length === 1) return [{ field, message: en ? 'Give the text per language, e.g. {"ja": "…", "en": "…"}.' : '言語ごとの文字列（例: {"ja": "…", "en": "…"}）で指定してください。' }];
		if (issue.code === 'too_big') return [{ field, message: en ? `At most ${max} characters.` : `${max}文字以内で入力してください` }];
		if (path[1] === 'ja') return [{ field, message: en ? 'The Japanese text is required.' : '日本語は必須です。入力してください' }];
		return [{ field, message: en ? 'Must be text.' : '文字で入力してください' }];
	}
	return [{ field, message: en ? 'Send a JSON object of settings.' : '設定のJSONオブジェクトを送ってください。' }];
}

/** Validates a PUT body (or the page's form turned into one): a 400 naming each bad field. */
export function parseCityPatch(body: unknown, lang: Lang = 'ja'): CityPatch {
	const r = cityPatchSchema.safeParse(body);
	if (r.success) {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(r.data)) if (v !== undefined) out[k] = (TEXT_KEYS as readonly string[]).includes(k) ? dropEmpty(v as Record<string, string>) : v;
		return out as CityPatch;
	}
	const errors = r.error.issues.flatMap((i) => message(i, lang));
	throw new AppError('bad_request', `入力内容に誤りがあります（${errors.length}件）：${errors.map((e) => e.field).join('、')}`, {
		en: `Invalid settings (${errors.length}): ${errors.map((e) => e.field).join(', ')}`,
		errors
	});
}

/** An empty translation is no translation: the fallback applies (src/lib/domain/locale-text.ts). */
function dropEmpty(t: Record<string, string>) {
	return normalText(Object.fromEntries(Object.entries(t).filter(([l, v]) => l === 'ja' || v !== '')));
}

export async function getCitySettings(ctx: AppContext, principal: Principal | null): Promise<CitySettingsView> {
	requireRole(principal, 'admin');
	return readCity(ctx.db);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Saves the settings given (any subset; `body` unvalidated) and answers the whole new settings.
 * Nothing changed: nothing written, no audit row.
 */
export async function updateCitySettings(ctx: AppContext, principal: Principal | null, body: unknown, opts: { ip?: string | null; lang?: Lang } = {}): Promise<CitySettingsView> {
	const admin = requireRole(principal, 'admin');
	const patch = parseCityPatch(body, opts.lang);
	const { next, changed } = await ctx.db.sequelize.transaction(async (t) => {
		const before = await readCity(ctx.db, t, true);
		const changed = (Object.keys(patch) as (keyof CitySettingsView)[]).filter((k) => !same(before[k], patch[k]));
		if (!changed.length) return { next: before, changed };
		const replacements: Record<string, unknown> = {};
		const sets = changed.map((k) => {
			const isText = (TEXT_KEYS as readonly string[]).includes(k);
			replacements[k] = isText ? JSON.stringify(patch[k]) : patch[k];
			return `${COLUMNS[k]} = ${isText ? `CAST(:${k} AS jsonb)` : `:${k}`}`;
		});
		await ctx.db.sequelize.query(`UPDATE city_settings SET ${sets.join(', ')}, updated_at = now() WHERE id = 1`, { replacements, transaction: t });
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: admin.login,
				action: 'settings.city_changed',
				targetType: 'city_settings',
				targetId: 1,
				detail: { fields: changed, from: Object.fromEntries(changed.map((k) => [k, before[k]])), to: Object.fromEntries(changed.map((k) => [k, patch[k]])) },
				ip: opts.ip
			},
			t
		);
		return { next: { ...before, ...patch } as CitySettingsView, changed };
	});
	if (changed.length) {
		forgetCity(ctx);
		ctx.events.citySettingsChanged?.();
	}
	return next;
}
