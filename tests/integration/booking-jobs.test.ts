import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, purposeId, typed } from '../harness/factories.ts';
import { createHold } from '../../src/lib/server/booking/holds.ts';
import { JOBS, startJobs } from '../../server/jobs.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'jobs');
});
afterAll(async () => t?.drop());

it('R-C15 the hold-expiry job runs through pg-boss on the app database and releases an expired hold', async () => {
	const { ctx, clock, events } = testContext(t.db, { now: new Date('2026-11-24T00:00:00Z') });
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id);
	const slot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 2);
	const me = await citizenSession(ctx);
	await createHold(ctx, me, { slotId: String(slot.id), purposeId: await purposeId(t.db), persons: [typed(await makeCard(t.db)), typed(await makeCard(t.db))] });
	expect((await slot.reload()).held).toBe(2);
	clock.now = new Date('2026-11-24T00:11:00Z');
	events.length = 0;
	const jobs = await startJobs(ctx, t.url);
	try {
		await jobs.boss.send(JOBS.expireHolds, {});
		const deadline = Date.now() + 20_000;
		while ((await slot.reload()).held !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		expect(slot.held).toBe(0);
		expect(events).toEqual([{ type: 'slotsChanged', locationId: loc.id, dates: ['2026-12-01'] }]);
		const schedules = await jobs.boss.getSchedules();
		expect(schedules.map((s) => s.name)).toEqual(expect.arrayContaining([JOBS.expireHolds, JOBS.regenerateSlots]));
	} finally {
		await jobs.stop();
	}
});
