import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeSchedule, makeSlot, makeStaff } from '../harness/factories.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { setRangeCapacity, setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'capacity', { poolMax: 20 });
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z');
const DAY = '2026-12-01';
const person = (c: { noticeId: string; birthDate: string }) => ({ noticeId: c.noticeId, birthDate: c.birthDate });

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

async function location() {
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id);
	return loc;
}

/** Every slot above capacity must be explained by an override in the audit log. */
async function unexplainedOverbooking(locationId: number) {
	return t.db.sequelize.query<{ id: string }>(
		`SELECT s.id FROM slots s WHERE s.location_id = :locationId AND s.booked + s.held > s.capacity
		   AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE
		         (a.action = 'slot.capacity_overridden' AND a.target_id = s.id::text)
		      OR (a.action = 'reservation.created' AND a.detail->'overbookedSlotIds' ? s.id::text)
		      OR (a.action = 'slot.capacity_range_overridden' AND a.detail->'from' ? s.id::text))`,
		{ replacements: { locationId }, type: QueryTypes.SELECT }
	);
}

describe('live capacity change with bookings (R-S05)', () => {
	it('R-S05 a concurrent capacity decrease and bookings never leave booked > capacity except through a logged override', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await location();
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', 12);
		const clerk = await principal('clerk');
		const sup = await principal('supervisor');
		const cards = await Promise.all(Array.from({ length: 60 }, () => makeCard(t.db)));
		const work: Promise<unknown>[] = [];
		cards.forEach((c, i) => {
			work.push(createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(c)] }));
			if (i % 4 === 0) work.push(setSlotCapacity(ctx, sup, { slotId: String(slot.id), capacity: 12 - Math.floor(i / 6), reason: `減員${i}` }));
		});
		const results = await Promise.allSettled(work);
		for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409 });
		await slot.reload();
		expect(slot.booked).toBeLessThanOrEqual(slot.capacity);
		expect(slot.booked).toBe(await t.db.models.Reservation.count({ where: { locationId: loc.id, status: 'active' } }));
		expect(await unexplainedOverbooking(loc.id)).toEqual([]);

		// Now the logged override: capacity below the booked count, with the bookings it leaves above capacity.
		const booked = slot.booked;
		const r = await setSlotCapacity(ctx, sup, { slotId: String(slot.id), capacity: 1, reason: '職員急病', override: true });
		expect(r).toMatchObject({ capacity: 1, booked, override: true });
		expect(r.affectedReservations).toHaveLength(booked);
		expect(r.affectedReservations[0]).toMatchObject({ slotId: String(slot.id), bookingNumber: expect.stringMatching(/^\d{4}-\d{4}$/), partySize: 1 });
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'slot.capacity_overridden', targetId: String(slot.id) } });
		expect(log?.detail).toMatchObject({ from: slot.capacity, to: 1, reason: '職員急病', booked, affectedReservationIds: r.affectedReservations.map((a) => a.id) });
		expect(await unexplainedOverbooking(loc.id)).toEqual([]);
		// …and with the slot over capacity, a clerk's booking is still refused.
		await expect(createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(await makeCard(t.db))] })).rejects.toMatchObject({ status: 409 });
	});

	it('R-S05 without the override flag a capacity below booked + held stays a 409 and nothing is written', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await location();
		const slot = await makeSlot(t.db, loc.id, DAY, '11:00', 3, { booked: 2, held: 1 });
		const before = await t.db.models.AuditLog.count();
		const e = await setSlotCapacity(ctx, await principal('supervisor'), { slotId: String(slot.id), capacity: 2, reason: '減員' }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, errors: [{ field: 'capacity' }] });
		expect(e.message).toContain('定員超過を承知で変更');
		expect((await slot.reload()).capacity).toBe(3);
		expect(await t.db.models.AuditLog.count()).toBe(before);
		expect(events).toEqual([]);
	});

	it('R-S05 R-S06 a supervisor sets the capacity of a time range in one step; below the booked count only as a listed override', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await location();
		const slots = await Promise.all(['13:00', '13:30', '14:00', '14:30'].map((h) => makeSlot(t.db, loc.id, DAY, h, 4)));
		const clerk = await principal('clerk');
		const sup = await principal('supervisor');
		const r1 = await createStaffReservation(ctx, clerk, { slotId: String(slots[1].id), persons: [person(await makeCard(t.db)), person(await makeCard(t.db))] });
		events.length = 0;
		const refused = await setRangeCapacity(ctx, sup, { locationId: loc.id, date: DAY, start: '13:15', end: '14:15', capacity: 1, reason: '会議' }).catch((x) => x);
		expect(refused).toMatchObject({ status: 409 });
		expect(refused.message).toContain('13:30（2人）');
		expect((await Promise.all(slots.map((s) => s.reload()))).map((s) => s.capacity)).toEqual([4, 4, 4, 4]);
		const ok = await setRangeCapacity(ctx, sup, { locationId: loc.id, date: DAY, start: '13:15', end: '14:15', capacity: 1, reason: '会議', override: true });
		// 13:00–13:30 overlaps 13:15, 14:00–14:30 overlaps until 14:15
		expect(ok.slots.map((s) => [s.startsAt.slice(11, 16), s.capacity])).toEqual([
			['13:00', 1],
			['13:30', 1],
			['14:00', 1]
		]);
		expect(ok.affectedReservations.map((a) => a.id)).toEqual([r1.id]);
		expect((await slots[3].reload()).capacity).toBe(4);
		expect(events).toEqual([{ type: 'slotsChanged', locationId: loc.id, dates: [DAY] }]);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'slot.capacity_range_overridden', targetId: String(loc.id) } });
		expect(log?.detail).toMatchObject({ date: DAY, start: '13:15', end: '14:15', to: 1, reason: '会議', affectedReservationIds: [r1.id] });
		expect(await unexplainedOverbooking(loc.id)).toEqual([]);
	});

	it('R-S05 a range whose end precedes its start, or with no slots, is refused clearly; a clerk may not change ranges', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await location();
		await makeSlot(t.db, loc.id, DAY, '09:00', 4);
		const sup = await principal('supervisor');
		const bad = await setRangeCapacity(ctx, sup, { locationId: loc.id, date: DAY, start: '12:00', end: '11:00', capacity: 1, reason: 'x' }).catch((e) => e);
		expect(bad).toMatchObject({ status: 400, errors: [{ field: 'end', message: '終了時刻は開始時刻より後にしてください' }] });
		await expect(setRangeCapacity(ctx, sup, { locationId: loc.id, date: DAY, start: '18:00', end: '19:00', capacity: 1, reason: 'x' })).rejects.toMatchObject({ status: 404 });
		await expect(setRangeCapacity(ctx, await principal('clerk'), { locationId: loc.id, date: DAY, start: '09:00', end: '10:00', capacity: 1, reason: 'x' })).rejects.toMatchObject({ status: 403 });
	});
});
