import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeSchedule, makeSlot } from '../harness/factories.ts';
import { livePushes } from '../../src/lib/server/live/pushes.ts';
import { listStaffSlots } from '../../src/lib/server/scheduling/capacity.ts';
import { availabilityRange, monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { monthDates } from '../../src/lib/domain/dates.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import type { AppContext } from '../../src/lib/server/context.ts';

/**
 * The live path reads every room's state of a location in one go (issue 11); what it pushes must
 * be exactly what a client fetching the same room gets (the subscribe ack, the HTTP API).
 */
let t: TestDatabase;
let ctx: AppContext;
const NOW = new Date('2026-11-24T01:00:00Z'); // 10:00 in Tokyo
const TODAY = '2026-11-24';

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'live_pushes');
	({ ctx } = testContext(t.db, { now: NOW }));
});

afterAll(async () => {
	await t?.drop();
});

describe('live pushes from one read', () => {
	it('R-L01 R-C06 R-L02 staff days, citizen months and today’s board equal the rooms’ own reads, across months', async () => {
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		for (const [date, hhmm, cap, booked] of [
			[TODAY, '09:00', 4, 1],
			[TODAY, '13:00', 4, 4],
			['2026-11-30', '10:00', 3, 2],
			['2026-11-30', '09:30', 5, 0],
			['2026-12-01', '10:00', 2, 0],
			['2026-12-02', '10:00', 6, 5]
		] as const) {
			await makeSlot(t.db, loc.id, date, hhmm, cap, { booked });
		}
		const days = [TODAY, '2026-11-30', '2026-12-01'];
		const p = await livePushes(ctx, loc.id, new Set(days));
		expect(p.slots).toEqual(await Promise.all(days.map(async (date) => ({ locationId: loc.id, date, slots: await listStaffSlots(ctx, loc.id, date) }))));
		expect(p.slots[1].slots.map((s) => s.startsAt)).toEqual(['2026-11-30T09:30:00+09:00', '2026-11-30T10:00:00+09:00']);
		expect(p.months).toEqual([await monthAvailability(ctx, loc.id, '2026-11'), await monthAvailability(ctx, loc.id, '2026-12')]);
		expect(p.months[1].days.find((d) => d.date === '2026-12-02')?.level).toBe('few');
		expect(p.board).toEqual(await boardCounters(ctx, loc.id, TODAY));
	});

	it('R-C05 a location citizens may not book gets staff days but no citizen month; no board unless today changed', async () => {
		const loc = await makeLocation(t.db, { citizenBookable: false });
		await makeSlot(t.db, loc.id, '2026-12-03', '10:00', 3, { booked: 1 });
		const p = await livePushes(ctx, loc.id, ['2026-12-03']);
		expect(p.months).toEqual([]);
		expect(p.board).toBeNull();
		expect(p.slots).toEqual([{ locationId: loc.id, date: '2026-12-03', slots: await listStaffSlots(ctx, loc.id, '2026-12-03') }]);
		expect(p.slots[0].slots).toHaveLength(1);
	});

	it('R-C05 without stored settings the month still follows the slots alone, as the API does', async () => {
		const loc = await makeLocation(t.db);
		await makeSlot(t.db, loc.id, '2026-12-04', '10:00', 3, { booked: 3 });
		const p = await livePushes(ctx, loc.id, ['2026-12-04']);
		expect(p.months).toEqual([await monthAvailability(ctx, loc.id, '2026-12')]);
		expect(p.months[0].days.find((d) => d.date === '2026-12-04')?.level).toBe('none');
	});

	it('R-C05 R-C06 a month summed per day by Postgres shows the same levels, notes and version as the slot-by-slot API: past times, closed days, outside the window, overbooked and held slots', async () => {
		const loc = await makeLocation(t.db);
		// Weekends closed by the default plan; citizens may book 1 to 20 days ahead.
		await makeSchedule(t.db, loc.id, { window: { citizenMinDaysAhead: 1, maxDaysAhead: 20 } });
		let seed = 7;
		const rnd = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
		for (const month of ['2026-11', '2026-12']) {
			for (const date of monthDates(month)) {
				if (date === '2026-12-08') {
					// every place taken, one slot over its capacity: 満員
					await makeSlot(t.db, loc.id, date, '09:00', 3, { booked: 4 });
					await makeSlot(t.db, loc.id, date, '09:30', 2, { booked: 1, held: 1 });
					continue;
				}
				if (date === '2026-12-09' || date === '2026-12-10') {
					// 残りわずか (1 of 10 left, the overbooked slot takes nothing from the other), and 空きあり
					await makeSlot(t.db, loc.id, date, '09:00', 10, date === '2026-12-09' ? { booked: 8, held: 1 } : {});
					await makeSlot(t.db, loc.id, date, '09:30', 1, { booked: 3 });
					continue;
				}
				if (rnd(5) === 0) continue; // a day without slots
				for (const hhmm of ['09:00', '09:30', '10:00', '13:00', '16:30'].filter(() => rnd(4) > 0)) {
					const capacity = rnd(12);
					const taken = rnd(capacity + 3); // sometimes over capacity (an override)
					const held = Math.min(taken, rnd(3));
					await makeSlot(t.db, loc.id, date, hhmm, capacity, { booked: taken - held, held });
				}
			}
		}
		for (const month of ['2026-11', '2026-12']) {
			const range = monthDates(month);
			const api = await availabilityRange(ctx, loc.id, range[0], range[range.length - 1]);
			const summed = await monthAvailability(ctx, loc.id, month);
			expect(summed).toEqual({ locationId: loc.id, month, days: api.days, version: api.version });
		}
		const shownDays = [...(await monthAvailability(ctx, loc.id, '2026-11')).days, ...(await monthAvailability(ctx, loc.id, '2026-12')).days];
		const levels = new Set(shownDays.map((d) => `${d.level}:${d.note ?? ''}`));
		// every kind of day was compared (a weekend is 'closed:closed'; today, 1 day short of the window, 'closed:outside')
		for (const shown of ['closed:past', 'closed:outside', 'closed:closed', 'many:', 'few:', 'none:']) expect(levels).toContain(shown);
	});
});

