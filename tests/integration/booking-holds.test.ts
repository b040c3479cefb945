import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId } from '../harness/factories.ts';
import { cancelHold, confirmHold, createHold, expireHolds } from '../../src/lib/server/booking/holds.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { availabilityRange } from '../../src/lib/server/availability.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'holds', { poolMax: 20 });
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 in Tokyo
const DAY = '2026-12-01';
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const person = (c: { noticeId: string; birthDate: string }) => ({ noticeId: c.noticeId, birthDate: c.birthDate });

async function setup(capacity = 2) {
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id);
	const slot = await makeSlot(t.db, loc.id, DAY, '10:00', capacity);
	return { loc, slot, purpose: await purposeId(t.db) };
}

describe('holds (R-C15)', () => {
	it('R-C15 R-C08 a hold counts as taken for everyone else, carries the precautions, and confirming turns it into the booking', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const { loc, slot, purpose } = await setup(2);
		const hold = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 2 });
		expect(hold.expiresAt).toBe('2026-11-24T09:10:00+09:00');
		expect(hold.precautions.ja).toContain('交付通知書');
		expect(hold.holdToken.length).toBeGreaterThan(30);
		expect(await t.db.models.Hold.count({ where: { tokenHash: hold.holdToken } })).toBe(0); // only the hash is stored
		await slot.reload();
		expect([slot.held, slot.booked]).toEqual([2, 0]);
		const a = await availabilityRange(ctx, loc.id, DAY, DAY);
		expect(a.days[0].level).toBe('none');
		const clerk = await makeStaff(t.db, 'clerk');
		const other = await createStaffReservation(
			ctx,
			{ userId: clerk.id, login: clerk.login, displayName: '', role: 'clerk', locationId: null, sessionId: 's' },
			{ slotId: String(slot.id), persons: [person(await makeCard(t.db))] }
		).catch((e) => e);
		expect(other).toMatchObject({ status: 409, extra: { reason: 'full' } });

		const [x, y] = [await makeCard(t.db), await makeCard(t.db)];
		events.length = 0;
		const r = await confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [person(x), person(y)], email: 'a@example.jp' });
		expect(r).toMatchObject({ locationId: loc.id, date: DAY, startsAt: `${DAY}T10:00:00+09:00`, partySize: 2 });
		await slot.reload();
		expect([slot.held, slot.booked]).toEqual([0, 2]);
		const stored = await t.db.models.Hold.findByPk(hold.holdId);
		expect([stored?.releaseReason, stored?.reservationId]).toEqual(['confirmed', r.reservationId]);
		const reservation = await t.db.models.Reservation.findByPk(r.reservationId);
		expect([reservation?.source, reservation?.email]).toEqual(['citizen', 'a@example.jp']);
		expect((await x.reload()).status).toBe('reserved');
		expect(events.map((e) => e.type)).toEqual(['slotsChanged', 'cardStatusChanged']);
		// a double click confirms once
		const again = await confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [person(x), person(y)] });
		expect(again.reservationId).toBe(r.reservationId);
		expect((await slot.reload()).booked).toBe(2);
	});

	it('R-C15 50 concurrent holds on a slot of capacity 5 give exactly 5 holds', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(5);
		const results = await Promise.allSettled(Array.from({ length: 50 }, () => createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 })));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
		expect((await slot.reload()).held).toBe(5);
	});

	it('R-C03 a wrong notice ID or birth date gets one message that never says which part was wrong; the hold stays', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(2);
		const hold = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 });
		const card = await makeCard(t.db, { birthDate: '1975-06-15' });
		const wrongBirth = await confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [{ noticeId: card.noticeId, birthDate: '1975-06-16' }] }).catch((e) => e);
		const wrongNotice = await confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [{ noticeId: '1111111111', birthDate: '1975-06-15' }] }).catch((e) => e);
		expect(wrongBirth).toMatchObject({ status: 422 });
		expect(wrongBirth.message).toBe(wrongNotice.message);
		expect(wrongBirth.errors).toEqual(wrongNotice.errors);
		expect(wrongBirth.message).toContain('交付通知書番号または生年月日');
		expect((await slot.reload()).held).toBe(1);
		expect(await t.db.models.Reservation.count({ where: { locationId: slot.locationId } })).toBe(0);
	});

	it('R-C12 a citizen is told that a person already has a booking, without its number', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(4);
		const card = await makeCard(t.db);
		const first = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 });
		const r = await confirmHold(ctx, first.holdId, { holdToken: first.holdToken, persons: [person(card)] });
		const second = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 2 });
		const e = await confirmHold(ctx, second.holdId, { holdToken: second.holdToken, persons: [person(await makeCard(t.db)), person(card)] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, errors: [{ field: 'persons.1' }] });
		expect(e.message).toContain('2人目の方は既に予約があります');
		expect(e.message).not.toContain(r.bookingNumber);
		expect(e.message).not.toContain(card.noticeId);
	});

	it('R-C15 a hold expires: the job releases it and publishes; confirming afterwards is refused', async () => {
		const { ctx, events, clock } = testContext(t.db, { now: NOW });
		const { loc, slot, purpose } = await setup(2);
		const hold = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 2 });
		clock.now = later(9);
		await expireHolds(ctx);
		expect((await slot.reload()).held).toBe(2);
		clock.now = later(11);
		events.length = 0;
		// other tests' holds in this database expire at the same time: count at least ours
		expect(await expireHolds(ctx)).toBeGreaterThanOrEqual(1);
		expect(await expireHolds(ctx)).toBe(0);
		expect((await slot.reload()).held).toBe(0);
		expect(events).toContainEqual({ type: 'slotsChanged', locationId: loc.id, dates: [DAY] });
		const stored = await t.db.models.Hold.findByPk(hold.holdId);
		expect(stored?.releaseReason).toBe('expired');
		await expect(confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [person(await makeCard(t.db)), person(await makeCard(t.db))] })).rejects.toMatchObject({
			status: 409,
			extra: { reason: 'hold_released' }
		});
	});

	it('R-C15 an expired hold is released inside the next booking transaction, without waiting for the job', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(1);
		const stale = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 });
		await expect(createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 })).rejects.toMatchObject({ status: 409 });
		clock.now = later(10);
		const fresh = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 });
		expect((await slot.reload()).held).toBe(1);
		expect((await t.db.models.Hold.findByPk(stale.holdId))?.releaseReason).toBe('expired');
		// the stale one cannot be confirmed, the fresh one can
		await expect(confirmHold(ctx, stale.holdId, { holdToken: stale.holdToken, persons: [person(await makeCard(t.db))] })).rejects.toMatchObject({ status: 409 });
		const r = await confirmHold(ctx, fresh.holdId, { holdToken: fresh.holdToken, persons: [person(await makeCard(t.db))] });
		expect(r.partySize).toBe(1);
		expect((await slot.reload()).booked).toBe(1);
	});

	it('R-C15 confirming an expired hold that the job has not reached releases it and says so', async () => {
		const { ctx, clock, events } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(2);
		const hold = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 1 });
		clock.now = later(10);
		events.length = 0;
		const e = await confirmHold(ctx, hold.holdId, { holdToken: hold.holdToken, persons: [person(await makeCard(t.db))] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, extra: { reason: 'hold_expired' } });
		expect((await slot.reload()).held).toBe(0);
		expect(events.map((x) => x.type)).toEqual(['slotsChanged']);
	});

	it('R-C15 the citizen cancels a hold with its token; a wrong token is a 404 and releases nothing', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(3);
		const hold = await createHold(ctx, { slotId: String(slot.id), purposeId: purpose, partySize: 3 });
		await expect(cancelHold(ctx, hold.holdId, 'not-the-token')).rejects.toMatchObject({ status: 404 });
		await expect(cancelHold(ctx, '00000000-0000-4000-8000-000000000000', hold.holdToken)).rejects.toMatchObject({ status: 404 });
		expect((await slot.reload()).held).toBe(3);
		await cancelHold(ctx, hold.holdId, hold.holdToken);
		await cancelHold(ctx, hold.holdId, hold.holdToken);
		expect((await slot.reload()).held).toBe(0);
		expect((await t.db.models.Hold.findByPk(hold.holdId))?.releaseReason).toBe('cancelled');
	});

	it('R-S07 R-C04 R-C07 holds follow the citizens’ window, the party limit and citizen-bookable locations', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id, { window: { citizenMinDaysAhead: 2, maxDaysAhead: 30 } });
		const purpose = await purposeId(t.db);
		const tomorrow = await makeSlot(t.db, loc.id, '2026-11-25', '10:00', 5);
		const far = await makeSlot(t.db, loc.id, '2027-01-12', '10:00', 5);
		const ok = await makeSlot(t.db, loc.id, '2026-11-26', '10:00', 5);
		await expect(createHold(ctx, { slotId: String(tomorrow.id), purposeId: purpose, partySize: 1 })).rejects.toMatchObject({ status: 422 });
		await expect(createHold(ctx, { slotId: String(far.id), purposeId: purpose, partySize: 1 })).rejects.toMatchObject({ status: 422 });
		await expect(createHold(ctx, { slotId: String(ok.id), purposeId: purpose, partySize: 6 })).rejects.toMatchObject({ status: 422, errors: [{ field: 'partySize' }] });
		await t.db.models.CitySettings.update({ maxPersonsPerBooking: 2 }, { where: { id: 1 } });
		try {
			const e = await createHold(ctx, { slotId: String(ok.id), purposeId: purpose, partySize: 3 }).catch((x) => x);
			expect(e.message).toContain('2人まで');
		} finally {
			await t.db.models.CitySettings.update({ maxPersonsPerBooking: 5 }, { where: { id: 1 } });
		}
		const hidden = await makeLocation(t.db, { citizenBookable: false });
		const staffOnly = await makeSlot(t.db, hidden.id, DAY, '10:00', 5);
		await expect(createHold(ctx, { slotId: String(staffOnly.id), purposeId: purpose, partySize: 1 })).rejects.toMatchObject({ status: 404 });
		for (const s of [tomorrow, far, ok, staffOnly]) expect((await s.reload()).held).toBe(0);
		// the calendar agrees: tomorrow is not open to citizens, the day after is
		const a = await availabilityRange(ctx, loc.id, '2026-11-25', '2026-11-26');
		expect(a.days.map((d) => d.level)).toEqual(['closed', 'many']);
	});
});
