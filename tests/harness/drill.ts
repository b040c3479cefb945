/**
 * Bookings for the backup drill and the replica test, made through the real use case
 * (createStaffReservation) so they are exactly what production commits.
 */
import type { Db } from '../../db/index.ts';
import type { Config } from '../../src/lib/server/config.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { testContext } from './context.ts';
import { makeCard, makeLocation, makeSchedule, makeSlot, makeStaff } from './factories.ts';

export const DRILL_NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 in Tokyo
const DAY = '2026-12-01';

export async function bookingDesk(db: Db, config: Partial<Record<keyof Config, string>> = {}) {
	const { ctx } = testContext(db, { now: DRILL_NOW, config });
	const loc = await makeLocation(db);
	await makeSchedule(db, loc.id);
	const slot = await makeSlot(db, loc.id, DAY, '10:00', 100);
	const u = await makeStaff(db, 'clerk');
	const clerk: Principal = { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 'drill' };
	return {
		ctx,
		/** One confirmed booking of one new card; returns its booking number. */
		async book(): Promise<string> {
			const card = await makeCard(db);
			const r = await createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }] });
			return r.bookingNumber;
		}
	};
}

/** Booking numbers of the active reservations in a database, sorted. */
export async function activeBookings(url: string): Promise<string[]> {
	const pg = (await import('pg')).default;
	const c = new pg.Client({ connectionString: url });
	await c.connect();
	try {
		const r = await c.query<{ booking_number: string }>(`SELECT booking_number FROM reservations WHERE status = 'active' ORDER BY booking_number`);
		return r.rows.map((x) => x.booking_number);
	} finally {
		await c.end();
	}
}
