/**
 * R-L02: the wall board's 未来庁 counter during the day. A booked visit still not checked in once
 * its slot has ended plus city_settings.late_arrival_minutes counts as not arrived — before the
 * closing job marks it — on the board's first read and in its live pushes. Controlled clock.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import type { AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { livePushes } from '../../src/lib/server/live/pushes.ts';
import { checkIn } from '../../src/lib/server/checkin/checkin.ts';
import { markNoShows } from '../../src/lib/server/noshow/mark.ts';

const DAY = '2026-12-15';
const tokyo = (hhmm: string) => new Date(`${DAY}T${hhmm}:00+09:00`);

let t: TestDatabase;
let ctx: AppContext;
let clock: { now: Date };
let clerk: Principal;

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'board_late');
	const tc = testContext(t.db, { now: tokyo('09:00') });
	ctx = tc.ctx;
	clock = tc.clock;
	const c = await makeStaff(t.db, 'clerk');
	clerk = { userId: c.id, login: c.login, displayName: c.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
});
afterAll(async () => {
	await t?.drop();
});

async function slot(locationId: number, hhmm: string) {
	const s = await makeSlot(t.db, locationId, DAY, hhmm, 5);
	return { id: String(s.id), locationId, date: DAY, startsAt: s.startsAt, endsAt: s.endsAt };
}

describe('R-L02 not-yet-arrived visits on the board', () => {
	it('R-L02 counts a booked visit as not arrived from slot end + late minutes, per person; a check-in takes it off; versions grow', async () => {
		const loc = (await makeLocation(t.db)).id;
		const family = await makeReservation(t.db, await slot(loc, '09:00'), 2); // ends 09:30
		const single = await makeReservation(t.db, await slot(loc, '09:30'), 1); // ends 10:00
		await makeReservation(t.db, await slot(loc, '11:00'), 1);

		clock.now = tokyo('09:44');
		const before = await boardCounters(ctx, loc);
		expect(before.noShow).toBe(0);

		clock.now = tokyo('09:45'); // 09:30 + 15 minutes
		const first = await boardCounters(ctx, loc);
		expect(first.noShow).toBe(2);
		expect(BigInt(first.version)).toBeGreaterThan(BigInt(before.version));

		clock.now = tokyo('10:20');
		const second = await boardCounters(ctx, loc);
		expect(second.noShow).toBe(3);

		// the family turns up late: checked in, no longer counted (it is 来庁 now)
		await checkIn(ctx, clerk, { reservationId: family.reservationId });
		const third = await boardCounters(ctx, loc);
		expect(third).toMatchObject({ noShow: 1, checkedIn: 2 });
		expect(BigInt(third.version)).toBeGreaterThan(BigInt(second.version));
		expect(single.cardIds).toHaveLength(1);
	});

	it('R-L02 the late-arrival minutes come from city_settings.late_arrival_minutes', async () => {
		const loc = (await makeLocation(t.db)).id;
		await makeReservation(t.db, await slot(loc, '13:00'), 1); // ends 13:30
		await t.db.sequelize.query(`UPDATE city_settings SET late_arrival_minutes = 40 WHERE id = 1`);
		try {
			clock.now = tokyo('14:09');
			expect((await boardCounters(ctx, loc)).noShow).toBe(0);
			clock.now = tokyo('14:10');
			expect((await boardCounters(ctx, loc)).noShow).toBe(1);
		} finally {
			await t.db.sequelize.query(`UPDATE city_settings SET late_arrival_minutes = 15 WHERE id = 1`);
		}
	});

	it('R-L02 the live push for the board carries the count; after the closing job marks 未来庁 it is counted once, not twice', async () => {
		const loc = (await makeLocation(t.db)).id;
		await makeReservation(t.db, await slot(loc, '15:00'), 2); // ends 15:30
		clock.now = tokyo('16:00');
		const push = await livePushes(ctx, loc, [DAY]);
		expect(push.board).toMatchObject({ locationId: loc, date: DAY, noShow: 2 });
		// after the day's last slot the job marks the visit 未来庁: the cards' status now carries it
		clock.now = tokyo('16:01');
		const marked = await markNoShows(ctx);
		expect(marked.reservations).toBeGreaterThanOrEqual(1);
		expect((await boardCounters(ctx, loc)).noShow).toBe(2);
	});
});
