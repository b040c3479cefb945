import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { listStaffSlots, setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import { availabilityRange, monthAvailability } from '../../src/lib/server/scheduling/availability.ts';
import { listCards } from '../../src/lib/server/cards/search.ts';
import { seedDemo } from '../../db/seeds/demo.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'slots');
});
afterAll(async () => t?.drop());

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

const NOW = new Date('2026-11-24T00:00:00Z'); // 09:00 in Tokyo

describe('live capacity change', () => {
	it('R-S05 a supervisor changes a slot capacity with a reason: version grows, audit row written, event after commit', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-11-26', '10:00', 3);
		const sup = await principal('supervisor');
		const r = await setSlotCapacity(ctx, sup, { slotId: String(slot.id), capacity: 6, reason: '応援職員2名' });
		expect(r).toMatchObject({ capacity: 6, version: '2', startsAt: '2026-11-26T10:00:00+09:00' });
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'slot.capacity_changed', targetId: String(slot.id) } });
		expect(log?.actorId).toBe(sup.login);
		expect(log?.detail).toEqual({ from: 3, to: 6, reason: '応援職員2名' });
		expect(events).toEqual([{ type: 'slotsChanged', locationId: loc.id, dates: ['2026-11-26'] }]);
	});

	it('R-S05 a capacity below the booked count is refused and nothing is written', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-11-26', '11:00', 5, { booked: 3, held: 1 });
		const auditBefore = await t.db.models.AuditLog.count();
		await expect(setSlotCapacity(ctx, await principal('admin'), { slotId: String(slot.id), capacity: 3, reason: '減員' })).rejects.toMatchObject({
			status: 409,
			message: expect.stringContaining('4人')
		});
		await slot.reload();
		expect(slot.capacity).toBe(5);
		expect(slot.version).toBe('1');
		expect(await t.db.models.AuditLog.count()).toBe(auditBefore + 0);
		expect(events).toEqual([]);
	});

	it('R-S05 a clerk or viewer may not change capacity; no session is 401', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-11-26', '12:00', 2);
		await expect(setSlotCapacity(ctx, await principal('clerk'), { slotId: String(slot.id), capacity: 9, reason: 'x' })).rejects.toMatchObject({ status: 403 });
		await expect(setSlotCapacity(ctx, await principal('viewer'), { slotId: String(slot.id), capacity: 9, reason: 'x' })).rejects.toMatchObject({ status: 403 });
		await expect(setSlotCapacity(ctx, null, { slotId: String(slot.id), capacity: 9, reason: 'x' })).rejects.toMatchObject({ status: 401 });
		await expect(setSlotCapacity(ctx, await principal('supervisor'), { slotId: '999999', capacity: 9, reason: 'x' })).rejects.toMatchObject({ status: 404 });
		await slot.reload();
		expect(slot.capacity).toBe(2);
	});

	it('R-S05 concurrent capacity changes serialise: every change bumps the version once', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-11-27', '09:00', 2);
		const sup = await principal('supervisor');
		await Promise.all(Array.from({ length: 10 }, (_, i) => setSlotCapacity(ctx, sup, { slotId: String(slot.id), capacity: i + 1, reason: `r${i}` })));
		await slot.reload();
		expect(slot.version).toBe('11');
	});
});

describe('availability for citizens', () => {
	it('R-C05 levels only: the citizen view carries no counts; full, few, many and closed days are told apart', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		await makeSlot(t.db, loc.id, '2026-11-25', '09:00', 10); // many
		await makeSlot(t.db, loc.id, '2026-11-26', '09:00', 10, { booked: 9 }); // few
		await makeSlot(t.db, loc.id, '2026-11-27', '09:00', 4, { booked: 3, held: 1 }); // none: holds count as taken
		await makeSlot(t.db, loc.id, '2026-11-24', '08:30', 10); // already started: closed
		const a = await availabilityRange(ctx, loc.id, '2026-11-24', '2026-11-28');
		expect(a.days).toEqual([
			{ date: '2026-11-24', level: 'closed' },
			{ date: '2026-11-25', level: 'many' },
			{ date: '2026-11-26', level: 'few' },
			{ date: '2026-11-27', level: 'none' },
			{ date: '2026-11-28', level: 'closed' }
		]);
		const text = JSON.stringify(a);
		for (const k of ['capacity', 'booked', 'held', 'taken', 'checkedIn']) expect(text).not.toContain(k);
		const m = await monthAvailability(ctx, loc.id, '2026-11');
		expect(m.days).toHaveLength(30);
	});

	it('R-C04 a location not marked citizen-bookable is not shown to citizens', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const hidden = await makeLocation(t.db, { citizenBookable: false });
		await expect(availabilityRange(ctx, hidden.id, '2026-11-24', '2026-11-25')).rejects.toMatchObject({ status: 404 });
	});

	it('R-L01 staff see capacity, booked, held and checked in for a day', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		await makeSlot(t.db, loc.id, '2026-11-30', '13:00', 4, { booked: 2, held: 1 });
		await makeSlot(t.db, loc.id, '2026-11-30', '09:00', 4);
		const slots = await listStaffSlots(ctx, loc.id, '2026-11-30');
		expect(slots.map((s) => s.startsAt)).toEqual(['2026-11-30T09:00:00+09:00', '2026-11-30T13:00:00+09:00']);
		expect(slots[1]).toMatchObject({ capacity: 4, booked: 2, held: 1, checkedIn: 0 });
	});
});

describe('demo city', () => {
	it('R-S03 seeded cards carry a storage location and box; notice IDs repeat with different birth dates; seeding twice changes nothing', async () => {
		const demo = await createTestDatabase(inject('databaseUrl'), 'demo');
		try {
			const first = await seedDemo(demo.db, { password: 'demo-password', now: NOW });
			const again = await seedDemo(demo.db, { password: 'demo-password', now: NOW });
			expect(first).toEqual(again);
			expect(first.locations).toBe(3);
			expect(first.cards).toBeGreaterThanOrEqual(200);
			expect(first.slots).toBeGreaterThan(100);
			const [dups] = (await demo.db.sequelize.query(
				`SELECT notice_id FROM card_records GROUP BY notice_id HAVING count(DISTINCT birth_date) > 1`
			)) as [unknown[], unknown];
			expect(dups.length).toBeGreaterThan(0);
			const { ctx } = testContext(demo.db, { now: NOW });
			const viewer = { userId: 1, login: 'viewer', displayName: 'v', role: 'viewer' as const, locationId: null, sessionId: 's' };
			const page = await listCards(ctx, viewer, { status: 'notice_sent', limit: 5, offset: 0 });
			expect(page.total).toBe(first.cards);
			expect(page.items[0]).toEqual({
				id: expect.any(String),
				noticeId: expect.stringMatching(/^\d{10}$/),
				birthDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
				nameKana: expect.stringMatching(/^[ァ-ヶー ]+$/),
				status: 'notice_sent',
				storageLocationId: expect.any(Number)
			});
			await expect(listCards(ctx, null, { limit: 5, offset: 0 })).rejects.toMatchObject({ status: 401 });
		} finally {
			await demo.drop();
		}
	});
});
