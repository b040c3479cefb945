/**
 * 発送期限日 for the transfer list (R-S11): lead days per (storage → issuing) pair or the city
 * default, counted in the storage location's open days (its hours, holidays, 年末年始, 臨時休業).
 */
import { QueryTypes } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { leadDaysFor, pairKey, shipByDate } from '../../domain/lists/index.ts';
import { DEFAULT_PATTERNS, DEFAULT_WEEKLY_PLAN, dayResolver, type DayPlan, type LocationRules } from '../../domain/schedule/index.ts';
import type { ShipBy } from './cells.ts';

/** A location without stored rules is open on weekdays that are not holidays (the defaults). */
const DEFAULT_RULES: LocationRules = { patterns: DEFAULT_PATTERNS, weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] };

export async function loadLeadDays(db: Db): Promise<{ fallback: number; pairs: Map<string, number> }> {
	const [city] = await db.sequelize.query<{ d: number }>(`SELECT transfer_lead_days_default AS d FROM city_settings WHERE id = 1`, { type: QueryTypes.SELECT });
	const rows = await db.sequelize.query<{ from_location_id: number; to_location_id: number; days: number }>(
		`SELECT from_location_id, to_location_id, days FROM transfer_lead_days`,
		{ type: QueryTypes.SELECT }
	);
	return { fallback: city?.d ?? 2, pairs: new Map(rows.map((r) => [pairKey(r.from_location_id, r.to_location_id), r.days])) };
}

export async function transferShipBy(db: Db): Promise<ShipBy> {
	const lead = await loadLeadDays(db);
	const schedules = await db.sequelize.query<{ location_id: number; patterns: LocationRules['patterns']; weekly: LocationRules['weekly']; date_exceptions: LocationRules['dateExceptions'] }>(
		`SELECT location_id, patterns, weekly, date_exceptions FROM location_schedules`,
		{ type: QueryTypes.SELECT }
	);
	const resolvers = new Map<number, (d: string) => DayPlan>(
		schedules.map((s) => [s.location_id, dayResolver({ patterns: s.patterns, weekly: s.weekly, dateExceptions: s.date_exceptions, rangeExceptions: [] })])
	);
	const fallback = dayResolver(DEFAULT_RULES);
	const memo = new Map<string, string>();
	return (r) => {
		const days = leadDaysFor(lead.pairs, r.storage_location_id, r.issuing_location_id, lead.fallback);
		const key = `${r.storage_location_id}|${days}|${r.date}`;
		let d = memo.get(key);
		if (d === undefined) {
			const resolve = resolvers.get(r.storage_location_id) ?? fallback;
			d = shipByDate(r.date, days, (date) => resolve(date).open);
			memo.set(key, d);
		}
		return d;
	};
}
