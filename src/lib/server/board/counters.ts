import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import type { BoardCounters } from '../../realtime/events.ts';
import { tokyoDateOf, tokyoIso } from '../../domain/dates.ts';
import type { SlotRecord } from '../scheduling/capacity.ts';
import { countNotArrived, lateMomentsPassed } from '../../domain/late-arrival.ts';

type SlotRow = Pick<SlotRecord, 'starts_at' | 'ends_at' | 'capacity' | 'booked' | 'held' | 'checked_in' | 'version'>;

interface StatusRow {
	status: string;
	n: number;
}

const HOURS_AHEAD = 4;

/**
 * R-L02: today's counters for one location's wall board. 予約 and 来庁 come from the slots
 * (kept in the booking transactions); 交付済, 待ち and 未来庁 from the card statuses of the people
 * booked today (R-S08), so the board agrees with the staff screens by construction. 未来庁 also
 * counts, during the day, the persons of booked visits still not checked in once their slot has
 * ended plus the city's late-arrival minutes (the job marks them only after closing).
 */
export async function boardCounters(ctx: AppContext, locationId: number, date = tokyoDateOf(ctx.now())): Promise<BoardCounters> {
	const now = ctx.now();
	const [slots, statuses, history, visits, city] = await Promise.all([
		ctx.db.sequelize.query<SlotRow>(
			`SELECT starts_at, ends_at, capacity, booked, held, checked_in, version FROM slots
			  WHERE location_id = :locationId AND date = :date ORDER BY starts_at`,
			{ replacements: { locationId, date }, type: QueryTypes.SELECT }
		),
		ctx.db.sequelize.query<StatusRow>(
			`SELECT c.status, count(*)::int AS n
			   FROM reservations r
			   JOIN reservation_persons p ON p.reservation_id = r.id
			   JOIN card_records c ON c.id = p.card_record_id
			  WHERE r.location_id = :locationId AND r.date = :date AND r.status <> 'cancelled'
			  GROUP BY c.status`,
			{ replacements: { locationId, date }, type: QueryTypes.SELECT }
		),
		ctx.db.sequelize.query<{ v: string | null }>(`SELECT max(id)::text AS v FROM card_status_history`, { type: QueryTypes.SELECT }),
		ctx.db.sequelize.query<{ ends_at: Date; status: string; checked_in: boolean; persons: number }>(
			`SELECT r.ends_at, r.status, (r.checked_in_at IS NOT NULL) AS checked_in,
			        (SELECT count(*)::int FROM reservation_persons p WHERE p.reservation_id = r.id AND p.active) AS persons
			   FROM reservations r
			  WHERE r.location_id = :locationId AND r.date = :date AND r.status = 'active' AND r.checked_in_at IS NULL`,
			{ replacements: { locationId, date }, type: QueryTypes.SELECT }
		),
		ctx.db.sequelize.query<{ late: number }>(`SELECT late_arrival_minutes AS late FROM city_settings WHERE id = 1`, { type: QueryTypes.SELECT })
	]);
	const lateMinutes = city[0]?.late ?? 15;
	const notArrived = countNotArrived(
		visits.map((v) => ({ endsAt: v.ends_at, status: v.status, checkedIn: v.checked_in, persons: v.persons })),
		lateMinutes,
		now
	);
	const byStatus = new Map(statuses.map((s) => [s.status, s.n]));
	let booked = 0;
	let checkedIn = 0;
	let remainingToday = 0;
	let remainingNow = 0;
	let version = BigInt(history[0]?.v ?? 0);
	const nowMs = now.getTime();
	const hourly = new Map<string, { start: string; capacity: number; booked: number }>();
	// Before opening the bars show the first hours of the day, not an empty "closed" board.
	const firstStart = slots.length ? new Date(slots[0].starts_at).getTime() : nowMs;
	const from = Math.max(nowMs, firstStart);
	const horizon = from + HOURS_AHEAD * 3600_000;
	for (const s of slots) {
		const start = new Date(s.starts_at).getTime();
		const end = new Date(s.ends_at).getTime();
		const free = Math.max(0, s.capacity - s.booked - s.held);
		booked += s.booked;
		checkedIn += s.checked_in;
		version += BigInt(s.version);
		if (start <= nowMs && nowMs < end) remainingNow += free;
		if (start > nowMs) remainingToday += free;
		// The bar row: the hours from the current one up to HOURS_AHEAD ahead.
		if (end > nowMs && start < horizon) {
			const hour = tokyoIso(new Date(s.starts_at)).slice(11, 13) + ':00';
			const h = hourly.get(hour) ?? { start: hour, capacity: 0, booked: 0 };
			h.capacity += s.capacity;
			h.booked += s.booked + s.held;
			hourly.set(hour, h);
		}
	}
	return {
		locationId,
		date,
		booked,
		checkedIn,
		issued: byStatus.get('issued') ?? 0,
		waiting: byStatus.get('checked_in') ?? 0,
		noShow: (byStatus.get('no_show') ?? 0) + notArrived,
		remainingNow,
		remainingToday: remainingToday + remainingNow,
		slotCount: slots.length,
		hours: [...hourly.values()],
		opensAt: slots.length ? tokyoIso(new Date(slots[0].starts_at)).slice(11, 16) : null,
		closesAt: slots.length ? tokyoIso(new Date(slots[slots.length - 1].ends_at)).slice(11, 16) : null,
		// the not-arrived count changes with the clock: the late moments passed keep versions growing with it
		version: String(version + BigInt(lateMomentsPassed(slots.map((s) => new Date(s.ends_at)), lateMinutes, now))),
		at: tokyoIso(now)
	};
}
