import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { BookingWindow, LocationRules } from '../../domain/schedule/index.ts';
import { LISTING_ORDER, listingOrderSql } from './locations.ts';

/** What the booking core needs of a location's stored settings. */
export interface LocationSettings {
	locationId: number;
	rules: LocationRules;
	window: BookingWindow;
	/** purposes offered here; null offers every active purpose */
	purposeIds: number[] | null;
}

export interface SettingsRow {
	location_id: number;
	patterns: LocationRules['patterns'];
	weekly: LocationRules['weekly'];
	date_exceptions: LocationRules['dateExceptions'];
	range_exceptions: LocationRules['rangeExceptions'];
	booking_window: BookingWindow;
	purpose_ids: number[] | null;
}

/** The columns of location_schedules that make a location's settings, for reads that join them. */
export const SETTINGS_COLUMNS = 'location_id, patterns, weekly, date_exceptions, range_exceptions, booking_window, purpose_ids';

/**
 * A location's settings, or null when none are stored yet. Such a location has no window and
 * offers every purpose: its slots alone decide (a location is given settings when created).
 */
export async function loadLocationSettings(db: Db, locationId: number, transaction?: Transaction): Promise<LocationSettings | null> {
	const [row] = await db.sequelize.query<SettingsRow>(`SELECT ${SETTINGS_COLUMNS} FROM location_schedules WHERE location_id = :locationId`,
		{ replacements: { locationId }, type: QueryTypes.SELECT, transaction }
	);
	return row ? settingsFromRow(row) : null;
}

export function settingsFromRow(row: SettingsRow): LocationSettings {
	return {
		locationId: row.location_id,
		rules: {
			patterns: row.patterns,
			weekly: row.weekly,
			dateExceptions: row.date_exceptions,
			rangeExceptions: row.range_exceptions
		},
		window: row.booking_window,
		purposeIds: row.purpose_ids
	};
}

export interface CityRules {
	maxPersonsPerBooking: number;
	holdMinutes: number;
}

export async function loadCitySettings(db: Db, transaction?: Transaction): Promise<CityRules> {
	const [row] = await db.sequelize.query<{ max_persons_per_booking: number; hold_minutes: number }>(
		`SELECT max_persons_per_booking, hold_minutes FROM city_settings WHERE id = 1`,
		{ type: QueryTypes.SELECT, transaction }
	);
	return { maxPersonsPerBooking: row?.max_persons_per_booking ?? 5, holdMinutes: row?.hold_minutes ?? 10 };
}

/** The city's booking rules for a use case or a page (persons per booking, hold minutes). */
export const cityRules = (ctx: { db: Db }): Promise<CityRules> => loadCitySettings(ctx.db);

export interface PurposeRow {
	id: number;
	code: string;
	nameJa: string;
	nameEn: string;
	durationSlots: number;
	precautionsJa: string;
	precautionsEn: string;
	active: boolean;
}

/** The purposes a location offers, in display order. */
export async function offeredPurposes(db: Db, settings: LocationSettings | null, transaction?: Transaction): Promise<PurposeRow[]> {
	const rows = await db.models.Purpose.findAll({ where: { active: true }, order: LISTING_ORDER, transaction });
	const offered = settings?.purposeIds ?? null;
	return rows
		.filter((p) => offered === null || offered.includes(p.id))
		.map((p) => ({
			id: p.id,
			code: p.code,
			nameJa: p.nameJa,
			nameEn: p.nameEn,
			durationSlots: p.durationSlots,
			precautionsJa: p.precautionsJa,
			precautionsEn: p.precautionsEn,
			active: p.active
		}));
}

export interface BookingSettings {
	settings: LocationSettings | null;
	/** active purposes offered at the location, in display order */
	purposes: PurposeRow[];
	city: CityRules;
}

type PurposeJson = { id: number; code: string; name_ja: string; name_en: string; duration_slots: number; precautions_ja: string; precautions_en: string };
/** The raw columns of BOOKING_SETTINGS_COLUMNS, as JSON. */
export interface BookingSettingsJson {
	schedule: Omit<SettingsRow, 'location_id'> | null;
	purposes: PurposeJson[];
	city: { max_persons_per_booking: number; hold_minutes: number } | null;
}

/** The select-list of a location's booking settings for the location id `loc` (an SQL expression). */
export const BOOKING_SETTINGS_COLUMNS = (loc: string) => `
		   (SELECT row_to_json(s) FROM (SELECT patterns, weekly, date_exceptions, range_exceptions, booking_window, purpose_ids
		                                  FROM location_schedules WHERE location_id = ${loc}) s) AS schedule,
		   (SELECT coalesce(json_agg(p ORDER BY ${listingOrderSql('p')}), '[]'::json)
		      FROM (SELECT id, code, name_ja, name_en, duration_slots, precautions_ja, precautions_en, sort_order FROM purposes WHERE active) p) AS purposes,
		   (SELECT row_to_json(c) FROM (SELECT max_persons_per_booking, hold_minutes FROM city_settings WHERE id = 1) c) AS city`;

export function toBookingSettings(locationId: number, row: BookingSettingsJson): BookingSettings {
	const settings: LocationSettings | null = row.schedule ? settingsFromRow({ location_id: locationId, ...row.schedule }) : null;
	const offered = settings?.purposeIds ?? null;
	return {
		settings,
		purposes: row.purposes
			.filter((p) => offered === null || offered.includes(p.id))
			.map((p) => ({
				id: p.id,
				code: p.code,
				nameJa: p.name_ja,
				nameEn: p.name_en,
				durationSlots: p.duration_slots,
				precautionsJa: p.precautions_ja,
				precautionsEn: p.precautions_en,
				active: true
			})),
		city: { maxPersonsPerBooking: row.city?.max_persons_per_booking ?? 5, holdMinutes: row.city?.hold_minutes ?? 10 }
	};
}

/**
 * Everything a booking reads about a location and the city, in one round trip (a booking's
 * statements are its cost: see tests/bench/booking.ts).
 */
export async function loadBookingSettings(db: Db, locationId: number, transaction?: Transaction): Promise<BookingSettings> {
	const [row] = await db.sequelize.query<BookingSettingsJson>(`SELECT ${BOOKING_SETTINGS_COLUMNS(':locationId')}`, {
		replacements: { locationId },
		type: QueryTypes.SELECT,
		transaction
	});
	return toBookingSettings(locationId, row);
}
