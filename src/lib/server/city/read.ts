/** R-S18: the city-wide settings as stored (one row of city_settings), without access checks. */
import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { LOCALES, type LocalizedText } from '../../domain/locale-text.ts';

export interface CitySettingsView {
	cityName: LocalizedText;
	contact: LocalizedText;
	privacyNotice: LocalizedText;
	help: LocalizedText;
	reminderDays: number;
	linkMinutes: number;
	holdMinutes: number;
	maxPersonsPerBooking: number;
	changeCutoffDays: number;
	waitlistOfferMinutes: number;
	lateArrivalMinutes: number;
	waitAlertMinutes: number;
}

/** Each setting's column. */
export const COLUMNS: Record<keyof CitySettingsView, string> = {
	cityName: 'city_name',
	contact: 'contact',
	privacyNotice: 'privacy_notice',
	help: 'help',
	reminderDays: 'reminder_days',
	linkMinutes: 'link_minutes',
	holdMinutes: 'hold_minutes',
	maxPersonsPerBooking: 'max_persons_per_booking',
	changeCutoffDays: 'change_cutoff_days',
	waitlistOfferMinutes: 'waitlist_offer_minutes',
	lateArrivalMinutes: 'late_arrival_minutes',
	waitAlertMinutes: 'wait_alert_minutes'
};

export const TEXT_KEYS = ['cityName', 'contact', 'privacyNotice', 'help'] as const;
export type TextKey = (typeof TEXT_KEYS)[number];

/** A stored text object with the known locales only, in DESIGN order; `ja` always a string. */
export function normalText(v: unknown): LocalizedText {
	const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
	const out: Record<string, string> = { ja: typeof o.ja === 'string' ? o.ja : '' };
	for (const l of LOCALES) if (l !== 'ja' && typeof o[l] === 'string') out[l] = o[l] as string;
	return out as LocalizedText;
}

export async function readCity(db: Db, transaction?: Transaction, lock = false): Promise<CitySettingsView> {
	const select = Object.entries(COLUMNS)
		.map(([k, c]) => `${c} AS "${k}"`)
		.join(', ');
	const [row] = await db.sequelize.query<Record<string, unknown>>(`SELECT ${select} FROM city_settings WHERE id = 1${lock ? ' FOR UPDATE' : ''}`, {
		type: QueryTypes.SELECT,
		transaction
	});
	if (!row) throw new Error('city_settings has no row');
	const out = { ...row } as unknown as CitySettingsView;
	for (const k of TEXT_KEYS) out[k] = normalText(row[k]);
	return out;
}
