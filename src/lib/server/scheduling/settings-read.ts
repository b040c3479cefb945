import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import type { BookingWindow, LocationRules } from '../../domain/schedule/index.ts';

/** What the booking core needs of a location's stored settings. */
export interface LocationSettings {
	locationId: number;
	rules: LocationRules;
	window: BookingWindow;
	/** purposes offered here; null offers every active purpose */
	purposeIds: number[] | null;
}

interface Row {
	location_id: number;
	patterns: LocationRules['patterns'];
	weekly: LocationRules['weekly'];
	date_exceptions: LocationRules['dateExceptions'];
	range_exceptions: LocationRules['rangeExceptions'];
	booking_window: BookingWindow;
	purpose_ids: number[] | null;
}

/**
 * A location's settings, or null when none are stored yet. Such a location has no window and
 * offers every purpose: its slots alone decide (a location is given settings when created).
 */
export async function loadLocationSettings(db: Db, locationId: number, transaction?: Transaction): Promise<LocationSettings | null> {
	const [row] = await db.sequelize.query<Row>(
		`SELECT location_id, patterns, weekly, date_exceptions, range_exceptions, booking_window, purpose_ids
		   FROM location_schedules WHERE location_id = :locationId`,
		{ replacements: { locationId }, type: QueryTypes.SELECT, transaction }
	);
	if (!row) return null;
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
	const rows = await db.models.Purpose.findAll({ where: { active: true }, order: [['sortOrder', 'ASC'], ['id', 'ASC']], transaction });
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
