import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation } from '../auth/scope.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import { tokyoIso } from '../../domain/dates.ts';

export interface Visit {
	reservationId: string;
	bookingNumber: string;
	startsAt: string;
	status: string;
	checkedInAt: string | null;
	persons: { cardId: string; nameKana: string; status: CardStatus }[];
}

interface Row {
	reservation_id: string;
	booking_number: string;
	starts_at: Date;
	status: string;
	checked_in_at: Date | null;
	card_id: string;
	name_kana: string;
	card_status: CardStatus;
}

/** R-S15 R-L03: one location's visits for a day, with each person's card status, for the counter. */
export async function listVisits(ctx: AppContext, principal: Principal | null, locationId: number, date: string): Promise<Visit[]> {
	const p = requireRole(principal, 'viewer');
	await requireLocation(ctx, p, locationId);
	const rows = await ctx.db.sequelize.query<Row>(
		`SELECT r.id AS reservation_id, r.booking_number, r.starts_at, r.status, r.checked_in_at,
		        c.id AS card_id, c.name_kana, c.status AS card_status
		   FROM reservations r
		   JOIN reservation_persons p ON p.reservation_id = r.id AND (p.active OR r.status = 'completed')
		   JOIN card_records c ON c.id = p.card_record_id
		  WHERE r.location_id = :locationId AND r.date = :date AND r.status <> 'cancelled'
		  ORDER BY r.starts_at, r.id, p.position`,
		{ replacements: { locationId, date }, type: QueryTypes.SELECT }
	);
	const visits = new Map<string, Visit>();
	for (const r of rows) {
		let v = visits.get(r.reservation_id);
		if (!v) {
			v = {
				reservationId: String(r.reservation_id),
				bookingNumber: r.booking_number,
				startsAt: tokyoIso(new Date(r.starts_at)),
				status: r.status,
				checkedInAt: r.checked_in_at ? tokyoIso(new Date(r.checked_in_at)) : null,
				persons: []
			};
			visits.set(r.reservation_id, v);
		}
		v.persons.push({ cardId: String(r.card_id), nameKana: r.name_kana, status: r.card_status });
	}
	return [...visits.values()];
}
