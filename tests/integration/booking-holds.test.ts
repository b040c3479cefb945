import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId, typed } from '../harness/factories.ts';
import { cancelHold, confirmHold, createHold, expireHolds } from '../../src/lib/server/booking/holds.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { availabilityRange } from '../../src/lib/server/scheduling/availability.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'holds', { poolMax: 20 });
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 in Tokyo
const DAY = '2026-12-01';
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

async function setup(capacity = 2) {
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id);
	const slot = await makeSlot(t.db, loc.id, DAY, '10:00', capacity);
	return { loc, slot, purpose: await purposeId(t.db) };
}

describe('holds (R-C15) for verified persons (R-C03)', () => {
	it('R-C15 R-C08 R-C03 a hold for two verified persons counts as taken, carries the precautions, and confirming books exactly them', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const { loc, slot, purpose } = await setup(2);
		const me = await citizenSession(ctx, 'two@example.jp');
		const [x, y] = [await makeCard(t.db), await makeCard(t.db, { birthDate: '1990-12-31' })];
		const hold = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(x), typed(y)] });
		expect(hold).toMatchObject({ expiresAt: '2026-11-24T09:10:00+09:00', partySize: 2, slotId: String(slot.id) });
		expect(hold.precautions).toContain('本人確認書類');
		await slot.reload();
		expect([slot.held, slot.booked]).toEqual([2, 0]);
		expect((await availabilityRange(ctx, loc.id, DAY, DAY)).days[0].level).toBe('none');
		const clerk = await makeStaff(t.db, 'clerk');
		const other = await createStaffReservation(
			ctx,
			{ userId: clerk.id, login: clerk.login, displayName: '', role: 'clerk', locationId: null, sessionId: 's' },
			{ slotId: String(slot.id), persons: [{ noticeId: (await makeCard(t.db)).noticeId, birthDate: '1980-04-01' }] }
		).catch((e) => e);
		expect(other).toMatchObject({ status: 409, extra: { reason: 'full' } });

		events.length = 0;
		const r = await confirmHold(ctx, me, hold.holdId);
		expect(r).toMatchObject({ locationId: loc.id, date: DAY, startsAt: `${DAY}T10:00:00+09:00`, partySize: 2 });
		expect(r.reservationNumber).toMatch(/^\d{4}-\d{4}$/);
		expect(r.manageUrl).toMatch(/^http:\/\/127\.0\.0\.1:3000\/manage\/[0-9a-f-]{36}\.[\w-]{32}$/);
		await slot.reload();
		expect([slot.held, slot.booked]).toEqual([0, 2]);
		const reservation = await t.db.models.Reservation.findByPk(r.reservationId);
		expect([reservation?.source, reservation?.email, reservation?.partySize]).toEqual(['citizen', 'two@example.jp', 2]);
		expect([(await x.reload()).status, (await y.reload()).status]).toEqual(['reserved', 'reserved']);
		expect(events.map((e) => e.type)).toEqual(['slotsChanged', 'cardStatusChanged']);
		// R-C09: the confirmation mail is written with the booking, ids only
		const [[mail]] = (await t.db.sequelize.query(`SELECT topic, payload FROM outbox WHERE payload->>'reservationId' = :id`, { replacements: { id: r.reservationId } })) as [
			{ topic: string; payload: Record<string, unknown> }[],
			unknown
		];
		expect(mail).toEqual({ topic: 'reservation.created', payload: { reservationId: r.reservationId } });
		// a double click confirms once
		const again = await confirmHold(ctx, me, hold.holdId);
		expect(again.reservationId).toBe(r.reservationId);
		expect((await slot.reload()).booked).toBe(2);
	});

	it('R-C15 50 concurrent holds by 50 sessions on a slot of capacity 5 give exactly 5 holds', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(5);
		const sessions = await Promise.all(Array.from({ length: 50 }, (_, i) => citizenSession(ctx, `race${i}@example.jp`)));
		const cards = await Promise.all(sessions.map(() => makeCard(t.db)));
		const results = await Promise.allSettled(sessions.map((s, i) => createHold(ctx, s, { slotId: String(slot.id), purposeId: purpose, persons: [typed(cards[i])] })));
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
		expect((await slot.reload()).held).toBe(5);
	});

	it('R-C15 one live hold per session: picking another time gives the first back', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const { loc, slot, purpose } = await setup(3);
		const other = await makeSlot(t.db, loc.id, DAY, '11:00', 3);
		const me = await citizenSession(ctx);
		const card = await makeCard(t.db);
		const first = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] });
		events.length = 0;
		const second = await createHold(ctx, me, { slotId: String(other.id), purposeId: purpose, persons: [typed(card)] });
		expect([(await slot.reload()).held, (await other.reload()).held]).toEqual([0, 1]);
		expect((await t.db.models.Hold.findByPk(first.holdId))?.releaseReason).toBe('cancelled');
		expect(events.filter((e) => e.type === 'slotsChanged').length).toBeGreaterThanOrEqual(1);
		await expect(confirmHold(ctx, me, first.holdId)).rejects.toMatchObject({ status: 409 });
		expect((await confirmHold(ctx, me, second.holdId)).partySize).toBe(1);
	});

	it('R-C15 R-C12 a card held by one session cannot be held by another', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(4);
		const card = await makeCard(t.db);
		const a = await citizenSession(ctx);
		const b = await citizenSession(ctx);
		await createHold(ctx, a, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] });
		const e = await createHold(ctx, b, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, extra: { reason: 'held_elsewhere' } });
		expect((await slot.reload()).held).toBe(1);
	});

	it('R-C03 a wrong notice ID, a wrong birthday or a wrong second person all get the same message, naming no field and no person; nothing is held', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(3);
		const me = await citizenSession(ctx);
		const good = await makeCard(t.db, { birthDate: '1975-06-15' });
		const attempts = [
			[{ noticeId: good.noticeId, birthMonthDay: '06-16' }],
			[{ noticeId: '1111111111', birthMonthDay: '06-15' }],
			[typed(good), { noticeId: '2222222222', birthMonthDay: '01-01' }],
			[{ noticeId: good.noticeId, birthMonthDay: '13-01' }]
		];
		const errors = [];
		for (const persons of attempts) errors.push(await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons }).catch((e) => e));
		for (const e of errors) {
			expect(e).toMatchObject({ status: 422, errors: [], extra: { reason: 'not_verified' } });
			expect(e.message).toBe(errors[0].message);
		}
		expect(errors[0].message).toContain('交付通知書番号または生年月日');
		expect((await slot.reload()).held).toBe(0);
	});

	it('R-C03 notice IDs and birthdays typed full-width, with hyphens or as 4 digits are understood', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(3);
		const me = await citizenSession(ctx);
		const card = await makeCard(t.db, { noticeId: '1234567890', birthDate: '1962-02-03' });
		const h = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [{ noticeId: '１２３４－５６７８－９０', birthMonthDay: '０２０３' }] });
		expect(h.partySize).toBe(1);
		await cancelHold(ctx, me, h.holdId);
		const h2 = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [{ noticeId: '1234-5678-90', birthMonthDay: '2月3日' }] });
		expect(h2.partySize).toBe(1);
		expect(card.status).toBe('notice_sent');
	});

	it('R-C12 a citizen is told that a verified person already has a booking, without its number', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(4);
		const card = await makeCard(t.db);
		const a = await citizenSession(ctx);
		const first = await createHold(ctx, a, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] });
		const r = await confirmHold(ctx, a, first.holdId);
		const b = await citizenSession(ctx);
		const e = await createHold(ctx, b, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db)), typed(card)] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, extra: { reason: 'already_booked' } });
		expect(e.message).toContain('2人目の方は既に予約があります');
		expect(e.message).not.toContain(r.reservationNumber);
		expect(e.message).not.toContain(card.noticeId);
		expect(e.en).toContain('already has a booking');
	});

	it('R-C15 a hold expires: the job releases it and publishes; confirming afterwards is refused', async () => {
		const { ctx, events, clock } = testContext(t.db, { now: NOW });
		const { loc, slot, purpose } = await setup(2);
		const me = await citizenSession(ctx);
		const hold = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db)), typed(await makeCard(t.db))] });
		clock.now = later(9);
		await expireHolds(ctx);
		expect((await slot.reload()).held).toBe(2);
		clock.now = later(11);
		events.length = 0;
		expect(await expireHolds(ctx)).toBeGreaterThanOrEqual(1);
		expect(await expireHolds(ctx)).toBe(0);
		expect((await slot.reload()).held).toBe(0);
		expect(events).toContainEqual({ type: 'slotsChanged', locationId: loc.id, dates: [DAY] });
		expect((await t.db.models.Hold.findByPk(hold.holdId))?.releaseReason).toBe('expired');
		await expect(confirmHold(ctx, me, hold.holdId)).rejects.toMatchObject({ status: 409, extra: { reason: 'hold_released' } });
	});

	it('R-C15 an expired hold is released inside the next hold transaction, and confirming an expired hold says so', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(1);
		const a = await citizenSession(ctx);
		const b = await citizenSession(ctx);
		const stale = await createHold(ctx, a, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db))] });
		await expect(createHold(ctx, b, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db))] })).rejects.toMatchObject({
			status: 409,
			extra: { reason: 'full' }
		});
		clock.now = later(10);
		const fresh = await createHold(ctx, b, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db))] });
		expect((await slot.reload()).held).toBe(1);
		expect((await t.db.models.Hold.findByPk(stale.holdId))?.releaseReason).toBe('expired');
		await expect(confirmHold(ctx, a, stale.holdId)).rejects.toMatchObject({ status: 409 });
		expect((await confirmHold(ctx, b, fresh.holdId)).partySize).toBe(1);
		const c = await citizenSession(ctx);
		const { slot: s2, purpose: p2 } = await setup(2);
		const h = await createHold(ctx, c, { slotId: String(s2.id), purposeId: p2, persons: [typed(await makeCard(t.db))] });
		clock.now = later(25);
		await expect(confirmHold(ctx, c, h.holdId)).rejects.toMatchObject({ status: 409, extra: { reason: 'hold_expired' } });
		expect((await s2.reload()).held).toBe(0);
	});

	it('R-C15 only the session that holds may confirm or cancel; another session gets 404 and releases nothing', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const { slot, purpose } = await setup(3);
		const me = await citizenSession(ctx);
		const stranger = await citizenSession(ctx);
		const hold = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(await makeCard(t.db))] });
		await expect(cancelHold(ctx, stranger, hold.holdId)).rejects.toMatchObject({ status: 404 });
		await expect(confirmHold(ctx, stranger, hold.holdId)).rejects.toMatchObject({ status: 404 });
		expect((await slot.reload()).held).toBe(1);
		await cancelHold(ctx, me, hold.holdId);
		await cancelHold(ctx, me, hold.holdId);
		expect((await slot.reload()).held).toBe(0);
	});

	it('R-S07 R-C04 R-C07 holds follow the citizens’ window, the party limit and citizen-bookable locations', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id, { window: { citizenMinDaysAhead: 2, maxDaysAhead: 30 } });
		const purpose = await purposeId(t.db);
		const me = await citizenSession(ctx);
		const one = [typed(await makeCard(t.db))];
		const tomorrow = await makeSlot(t.db, loc.id, '2026-11-25', '10:00', 5);
		const far = await makeSlot(t.db, loc.id, '2027-01-12', '10:00', 5);
		const ok = await makeSlot(t.db, loc.id, '2026-11-26', '10:00', 5);
		await expect(createHold(ctx, me, { slotId: String(tomorrow.id), purposeId: purpose, persons: one })).rejects.toMatchObject({ status: 422 });
		await expect(createHold(ctx, me, { slotId: String(far.id), purposeId: purpose, persons: one })).rejects.toMatchObject({ status: 422 });
		await t.db.models.CitySettings.update({ maxPersonsPerBooking: 2 }, { where: { id: 1 } });
		try {
			const three = [typed(await makeCard(t.db)), typed(await makeCard(t.db)), typed(await makeCard(t.db))];
			const e = await createHold(ctx, me, { slotId: String(ok.id), purposeId: purpose, persons: three }).catch((x) => x);
			expect(e.message).toContain('2人まで');
		} finally {
			await t.db.models.CitySettings.update({ maxPersonsPerBooking: 5 }, { where: { id: 1 } });
		}
		const hidden = await makeLocation(t.db, { citizenBookable: false });
		const staffOnly = await makeSlot(t.db, hidden.id, DAY, '10:00', 5);
		await expect(createHold(ctx, me, { slotId: String(staffOnly.id), purposeId: purpose, persons: one })).rejects.toMatchObject({ status: 404 });
		for (const s of [tomorrow, far, ok, staffOnly]) expect((await s.reload()).held).toBe(0);
		const a = await availabilityRange(ctx, loc.id, '2026-11-25', '2026-11-26');
		expect(a.days.map((d) => d.level)).toEqual(['closed', 'many']);
	});
});
