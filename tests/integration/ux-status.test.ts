/** R-O06: the city's status page counts the day's workload. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot } from '../harness/factories.ts';
import { cityStatus } from '../../src/lib/server/ops/status.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'ux-status');
});
afterAll(async () => t?.drop());

const admin: Principal = { userId: 1, login: 'admin', displayName: 'admin', role: 'admin', locationId: null, sessionId: 's' } as Principal;

describe('status page', () => {
	it('R-O06 「本日の来庁予約」 counts today’s visits (booked on any day, cancelled apart), by the hour they come — not the bookings made today', async () => {
		const TODAY = '2026-11-20';
		const { ctx } = testContext(t.db, { now: new Date(`${TODAY}T01:00:00Z`) });
		const loc = await makeLocation(t.db);
		const at10 = await makeSlot(t.db, loc.id, TODAY, '10:00', 5);
		const at14 = await makeSlot(t.db, loc.id, TODAY, '14:00', 5);
		const later = await makeSlot(t.db, loc.id, '2026-11-27', '10:00', 5);
		const a = await makeReservation(t.db, at10);
		const b = await makeReservation(t.db, at14);
		const c = await makeReservation(t.db, at14);
		const d = await makeReservation(t.db, later);
		// a, b, c were booked last week; d (a visit next week) was booked today
		await t.db.sequelize.query(`UPDATE reservations SET created_at = '2026-11-13T01:00:00Z' WHERE id IN (:ids)`, { replacements: { ids: [a.reservationId, b.reservationId, c.reservationId] } });
		await t.db.sequelize.query(`UPDATE reservations SET created_at = '2026-11-20T00:30:00Z' WHERE id = :id`, { replacements: { id: d.reservationId } });
		await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = '2026-11-14T01:00:00Z' WHERE id = :id`, { replacements: { id: c.reservationId } });
		const s = await cityStatus(ctx, admin);
		expect(s.bookings.today).toBe(2);
		expect(s.bookings.cancelledToday).toBe(1);
		expect(s.bookings.perHour).toEqual([
			{ hour: 10, count: 1 },
			{ hour: 14, count: 1 }
		]);
	});
});
