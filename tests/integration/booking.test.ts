import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId } from '../harness/factories.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { cancelStaffReservation } from '../../src/lib/server/booking/cancel.ts';
import { moveStaffReservation } from '../../src/lib/server/booking/move.ts';
import { inTransaction } from '../../src/lib/server/tx.ts';
import { formatBookingNumber } from '../../src/lib/server/booking/write.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import type { Db } from '../../db/index.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'booking', { poolMax: 20 });
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 in Tokyo
const DAY = '2026-12-01'; // a Tuesday a week later

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

async function bookableLocation(window = {}) {
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id, { window });
	return loc;
}

const person = (c: { noticeId: string; birthDate: string }) => ({ noticeId: c.noticeId, birthDate: c.birthDate });

async function counts(db: Db) {
	const [r] = await db.sequelize.query<{ reservations: string; persons: string; history: string; audit: string; outbox: string }>(
		`SELECT (SELECT count(*) FROM reservations) AS reservations, (SELECT count(*) FROM reservation_persons) AS persons,
		        (SELECT count(*) FROM card_status_history) AS history, (SELECT count(*) FROM audit_log) AS audit,
		        (SELECT count(*) FROM outbox) AS outbox`,
		{ type: QueryTypes.SELECT }
	);
	return r;
}

describe('staff booking', () => {
	it('R-S04 a clerk books two persons: one transaction writes reservation, persons, card history, audit and outbox; events follow commit', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', 4);
		const [a, b] = [await makeCard(t.db), await makeCard(t.db)];
		const clerk = await principal('clerk');
		const r = await createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(a), person(b)], email: 'family@example.jp' });
		expect(r).toMatchObject({
			status: 'active',
			locationId: loc.id,
			partySize: 2,
			date: DAY,
			startsAt: `${DAY}T10:00:00+09:00`,
			slotIds: [String(slot.id)],
			source: 'staff',
			overrideReason: null,
			purposeId: await purposeId(t.db)
		});
		expect(r.bookingNumber).toMatch(/^\d{4}-\d{4}$/);
		expect(r.persons.map((p) => p.noticeId)).toEqual([a.noticeId, b.noticeId]);
		await slot.reload();
		expect([slot.booked, slot.held, slot.version]).toEqual([2, 0, '2']);
		await a.reload();
		expect(a.status).toBe('reserved');
		const history = await t.db.models.CardStatusHistory.findAll({ where: { reservationId: r.id }, order: [['cardRecordId', 'ASC']] });
		expect(history.map((h) => [h.fromStatus, h.toStatus, h.actorId])).toEqual([
			['notice_sent', 'reserved', clerk.login],
			['notice_sent', 'reserved', clerk.login]
		]);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'reservation.created', targetId: r.id } });
		expect(log?.actorId).toBe(clerk.login);
		// R-O05: ids and counts only, never the notice ID, birth date or email
		expect(JSON.stringify(log?.detail)).not.toMatch(new RegExp(`${a.noticeId}|1980|example\\.jp`));
		expect(await t.db.models.Outbox.count({ where: { topic: 'reservation.created' } })).toBeGreaterThan(0);
		expect(events).toEqual([
			{ type: 'slotsChanged', locationId: loc.id, dates: [DAY] },
			{
				type: 'cardStatusChanged',
				changes: [a, b].map((c) => ({ cardId: String(c.id), locationId: loc.id, date: DAY, from: 'notice_sent', to: 'reserved' }))
			}
		]);
	});

	it('R-S04 200 concurrent booking attempts on one slot of capacity 5 produce exactly 5 bookings', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '11:00', 5);
		const clerk = await principal('clerk');
		const cards = await Promise.all(Array.from({ length: 200 }, () => makeCard(t.db)));
		const results = await Promise.allSettled(cards.map((c) => createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(c)] })));
		const ok = results.filter((r) => r.status === 'fulfilled');
		const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(ok).toHaveLength(5);
		expect(refused).toHaveLength(195);
		for (const r of refused) expect(r.reason).toMatchObject({ status: 409, extra: { reason: 'full' } });
		await slot.reload();
		expect([slot.booked, slot.capacity]).toEqual([5, 5]);
		expect(await t.db.models.Reservation.count({ where: { locationId: loc.id } })).toBe(5);
		const [{ n }] = await t.db.sequelize.query<{ n: string }>(
			`SELECT count(*) AS n FROM card_records WHERE status = 'reserved' AND id IN (:ids)`,
			{ replacements: { ids: cards.map((c) => c.id) }, type: QueryTypes.SELECT }
		);
		expect(Number(n)).toBe(5);
		// one event per committed booking, none for the refused ones
		expect(events.filter((e) => e.type === 'slotsChanged')).toHaveLength(5);
	});

	it('R-C12 concurrent attempts with the same card produce exactly one booking', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slots = await Promise.all(['09:00', '09:30', '13:00', '14:00'].map((h) => makeSlot(t.db, loc.id, DAY, h, 10)));
		const card = await makeCard(t.db);
		const clerk = await principal('clerk');
		const results = await Promise.allSettled(
			Array.from({ length: 40 }, (_, i) => createStaffReservation(ctx, clerk, { slotId: String(slots[i % 4].id), persons: [person(card)] }))
		);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 409, extra: { reason: 'already_booked' } });
		expect(await t.db.models.ReservationPerson.count({ where: { cardRecordId: card.id, active: true } })).toBe(1);
		const booked = (await Promise.all(slots.map((s) => s.reload()))).reduce((sum, s) => sum + s.booked, 0);
		expect(booked).toBe(1);
	});

	it('R-C12 the partial unique index itself refuses a second active person for a card', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '15:00', 3);
		const card = await makeCard(t.db);
		const r = await createStaffReservation(ctx, await principal('clerk'), { slotId: String(slot.id), persons: [person(card)] });
		await expect(
			t.db.sequelize.query(`INSERT INTO reservation_persons (reservation_id, card_record_id) VALUES (:r, :c)`, { replacements: { r: r.id, c: card.id } })
		).rejects.toMatchObject({ parent: { constraint: 'reservation_persons_one_active_per_card' } });
	});

	it('R-C12 staff are told which person already has a booking, with its number', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const [s1, s2] = [await makeSlot(t.db, loc.id, DAY, '16:00', 3), await makeSlot(t.db, loc.id, DAY, '16:30', 3)];
		const [a, b] = [await makeCard(t.db), await makeCard(t.db)];
		const clerk = await principal('clerk');
		const first = await createStaffReservation(ctx, clerk, { slotId: String(s1.id), persons: [person(b)] });
		const before = await counts(t.db);
		const err = await createStaffReservation(ctx, clerk, { slotId: String(s2.id), persons: [person(a), person(b)] }).catch((e) => e);
		expect(err).toMatchObject({ status: 409, errors: [{ field: 'persons.1' }] });
		expect(err.message).toContain('2人目');
		expect(err.message).toContain(b.noticeId);
		expect(err.message).toContain(first.bookingNumber);
		expect(await counts(t.db)).toEqual(before);
		await s2.reload();
		expect(s2.booked).toBe(0);
	});
});

describe('override and roles (R-S05)', () => {
	it('R-S05 a supervisor books beyond capacity only with a reason; it is written to the audit log; a clerk may not', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', 1, { booked: 1 });
		const sup = await principal('supervisor');
		const clerk = await principal('clerk');
		const c = await makeCard(t.db);
		const full = await createStaffReservation(ctx, sup, { slotId: String(slot.id), persons: [person(c)] }).catch((e) => e);
		expect(full).toMatchObject({ status: 409, extra: { reason: 'full', slots: [{ capacity: 1, booked: 1, held: 0 }] } });
		expect(full.message).toContain('定員超過で予約');
		await expect(
			createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(c)], override: { reason: '高齢のため' } })
		).rejects.toMatchObject({ status: 403 });
		const r = await createStaffReservation(ctx, sup, { slotId: String(slot.id), persons: [person(c)], override: { reason: '遠方から来庁のため' } });
		expect(r.overrideReason).toBe('遠方から来庁のため');
		await slot.reload();
		expect([slot.booked, slot.capacity]).toEqual([2, 1]);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'reservation.created', targetId: r.id } });
		expect(log?.actorId).toBe(sup.login);
		expect(log?.detail).toMatchObject({ override: true, reason: '遠方から来庁のため', overbookedSlotIds: [String(slot.id)] });
	});

	it('R-S05 an override on a slot with room books normally and is not logged as an override', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '10:30', 3);
		const r = await createStaffReservation(ctx, await principal('admin'), {
			slotId: String(slot.id),
			persons: [person(await makeCard(t.db))],
			override: { reason: '念のため' }
		});
		expect(r.overrideReason).toBeNull();
	});

	it('R-S01 a viewer may not book; no session is 401', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '11:30', 3);
		const c = await makeCard(t.db);
		await expect(createStaffReservation(ctx, await principal('viewer'), { slotId: String(slot.id), persons: [person(c)] })).rejects.toMatchObject({ status: 403 });
		await expect(createStaffReservation(ctx, null, { slotId: String(slot.id), persons: [person(c)] })).rejects.toMatchObject({ status: 401 });
	});
});

describe('bad input writes nothing', () => {
	it('R-S04 R-S07 R-S06 R-C07 unknown slot, past slot, outside the window, closed day, too many persons, unknown card: clear errors and nothing written', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const clerk = await principal('clerk');
		const loc = await bookableLocation({ staffMinDaysAhead: 0, maxDaysAhead: 30 });
		await t.db.models.LocationSchedule.update(
			{ dateExceptions: [{ date: '2026-12-02', kind: 'closed', note: '停電' }] },
			{ where: { locationId: loc.id } }
		);
		const past = await makeSlot(t.db, loc.id, '2026-11-24', '08:30', 5);
		const late = await makeSlot(t.db, loc.id, '2027-01-12', '10:00', 5);
		const closed = await makeSlot(t.db, loc.id, '2026-12-02', '10:00', 5);
		const weekend = await makeSlot(t.db, loc.id, '2026-11-28', '10:00', 5);
		const ok = await makeSlot(t.db, loc.id, DAY, '13:30', 9);
		const cards = await Promise.all(Array.from({ length: 6 }, () => makeCard(t.db)));
		const before = await counts(t.db);
		const one = [person(cards[0])];
		const cases: [string, Parameters<typeof createStaffReservation>[2], number, string][] = [
			['unknown slot', { slotId: '999999999', persons: one }, 404, '枠が見つかりません'],
			['slot in the past', { slotId: String(past.id), persons: one }, 422, '受付時間は過ぎています'],
			['outside the window', { slotId: String(late.id), persons: one }, 422, '受付期間外'],
			['closed day (臨時休業)', { slotId: String(closed.id), persons: one }, 422, '閉庁日'],
			['closed day (weekend)', { slotId: String(weekend.id), persons: one }, 422, '閉庁日'],
			['too many persons', { slotId: String(ok.id), persons: cards.map(person) }, 422, '5人まで'],
			['unknown card', { slotId: String(ok.id), persons: [{ noticeId: '0000000000', birthDate: '1990-01-01' }] }, 422, '一致するカードがありません'],
			['same person twice', { slotId: String(ok.id), persons: [person(cards[1]), person(cards[1])] }, 400, '同じ方'],
			['unoffered purpose', { slotId: String(ok.id), persons: one, purposeId: 999 }, 422, '用件']
		];
		for (const [what, input, status, text] of cases) {
			const e = await createStaffReservation(ctx, clerk, input).catch((x) => x);
			expect(e, what).toMatchObject({ status });
			expect(e.message, what).toContain(text);
		}
		expect(await counts(t.db)).toEqual(before);
		for (const s of [past, late, closed, weekend, ok]) {
			await s.reload();
			expect([s.booked, s.version]).toEqual([0, '1']);
		}
		expect(events).toEqual([]);
	});

	it('R-C12 a card already issued cannot be booked', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '14:30', 3);
		const c = await makeCard(t.db, { status: 'issued' });
		const e = await createStaffReservation(ctx, await principal('clerk'), { slotId: String(slot.id), persons: [person(c)] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, extra: { reason: 'card_not_bookable' } });
		expect(e.message).toContain('交付済');
	});
});

describe('multi-slot purposes (R-S17)', () => {
	it('R-S17 a purpose taking two slots books two consecutive slots, and refuses a run broken by lunch', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const long = await t.db.models.Purpose.create({ code: `long_${Date.now()}`, nameJa: '長い用件', nameEn: 'Long', durationSlots: 2, sortOrder: 99 });
		const loc = await bookableLocation();
		const s1 = await makeSlot(t.db, loc.id, DAY, '11:00', 2);
		const s2 = await makeSlot(t.db, loc.id, DAY, '11:30', 2);
		const s3 = await makeSlot(t.db, loc.id, DAY, '13:00', 2);
		const clerk = await principal('clerk');
		const r = await createStaffReservation(ctx, clerk, { slotId: String(s1.id), purposeId: long.id, persons: [person(await makeCard(t.db))] });
		expect(r.slotIds).toEqual([String(s1.id), String(s2.id)]);
		expect(r.endsAt).toBe(`${DAY}T12:00:00+09:00`);
		for (const s of [s1, s2]) expect((await s.reload()).booked).toBe(1);
		const e = await createStaffReservation(ctx, clerk, { slotId: String(s2.id), purposeId: long.id, persons: [person(await makeCard(t.db))] }).catch((x) => x);
		expect(e).toMatchObject({ status: 409 });
		expect(e.message).toContain('2枠続けて');
		expect((await s3.reload()).booked).toBe(0);
		expect((await s2.reload()).booked).toBe(1);
	});
});

describe('cancel and change', () => {
	it('R-S08 R-C12 cancel frees the places, sends the cards back to 通知書発送済 with history, and the card can book again', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const slot = await makeSlot(t.db, loc.id, DAY, '09:00', 2);
		const c = await makeCard(t.db);
		const clerk = await principal('clerk');
		const r = await createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(c)] });
		events.length = 0;
		const cancelled = await cancelStaffReservation(ctx, clerk, { reservationId: r.id, reason: '本人から電話' });
		expect(cancelled.status).toBe('cancelled');
		expect(cancelled.persons[0].active).toBe(false);
		await slot.reload();
		expect([slot.booked, slot.version]).toEqual([0, '3']);
		expect((await c.reload()).status).toBe('notice_sent');
		const h = await t.db.models.CardStatusHistory.findAll({ where: { cardRecordId: c.id }, order: [['id', 'ASC']] });
		expect(h.map((x) => `${x.fromStatus}>${x.toStatus}`)).toEqual(['notice_sent>reserved', 'reserved>notice_sent']);
		expect(await t.db.models.AuditLog.count({ where: { action: 'reservation.cancelled', targetId: r.id } })).toBe(1);
		expect(events).toEqual([
			{ type: 'slotsChanged', locationId: loc.id, dates: [DAY] },
			{ type: 'cardStatusChanged', changes: [{ cardId: String(c.id), locationId: loc.id, date: DAY, from: 'reserved', to: 'notice_sent' }] }
		]);
		await expect(cancelStaffReservation(ctx, clerk, { reservationId: r.id })).rejects.toMatchObject({ status: 409 });
		await expect(cancelStaffReservation(ctx, clerk, { reservationId: '987654321' })).rejects.toMatchObject({ status: 404 });
		const again = await createStaffReservation(ctx, clerk, { slotId: String(slot.id), persons: [person(c)] });
		expect(again.status).toBe('active');
	});

	it('R-S04 moving to a full slot is refused and changes nothing; to a free slot moves the places in one step', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const loc = await bookableLocation();
		const from = await makeSlot(t.db, loc.id, DAY, '14:00', 3);
		const full = await makeSlot(t.db, loc.id, DAY, '14:30', 1, { booked: 1 });
		const other = await bookableLocation();
		const to = await makeSlot(t.db, other.id, '2026-12-03', '10:00', 3);
		const clerk = await principal('clerk');
		const r = await createStaffReservation(ctx, clerk, { slotId: String(from.id), persons: [person(await makeCard(t.db)), person(await makeCard(t.db))] });
		const e = await moveStaffReservation(ctx, clerk, { reservationId: r.id, slotId: String(full.id) }).catch((x) => x);
		expect(e).toMatchObject({ status: 409, extra: { reason: 'full' } });
		expect([(await from.reload()).booked, (await full.reload()).booked]).toEqual([2, 1]);
		events.length = 0;
		const moved = await moveStaffReservation(ctx, clerk, { reservationId: r.id, slotId: String(to.id) });
		expect(moved).toMatchObject({ locationId: other.id, date: '2026-12-03', slotIds: [String(to.id)], bookingNumber: r.bookingNumber });
		expect([(await from.reload()).booked, (await to.reload()).booked]).toEqual([0, 2]);
		expect(events).toEqual([
			{ type: 'slotsChanged', locationId: loc.id, dates: [DAY] },
			{ type: 'slotsChanged', locationId: other.id, dates: ['2026-12-03'] }
		]);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'reservation.moved', targetId: r.id } });
		expect(log?.detail).toMatchObject({ fromSlotIds: [String(from.id)], toSlotIds: [String(to.id)] });
		await expect(moveStaffReservation(ctx, clerk, { reservationId: r.id, slotId: String(to.id) })).rejects.toMatchObject({ status: 422 });
	});
});

describe('transactions', () => {
	it('R-O01 a deadlock is retried: both transactions finish', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		const x = await makeSlot(t.db, loc.id, '2026-12-10', '10:00', 1);
		const y = await makeSlot(t.db, loc.id, '2026-12-10', '10:30', 1);
		const retries: string[] = [];
		let arrived = 0;
		const barrier = async () => {
			arrived++;
			while (arrived < 2) await new Promise((r) => setTimeout(r, 10));
		};
		// Deliberately opposite lock order on the first attempt: Postgres picks a victim, the helper runs it again.
		const run = (first: string, second: string) => {
			let attempt = 0;
			return inTransaction(
				ctx,
				async (tx) => {
					attempt++;
					await t.db.sequelize.query(`UPDATE slots SET version = version + 1 WHERE id = :id`, { replacements: { id: first }, transaction: tx });
					if (attempt === 1) await barrier();
					await t.db.sequelize.query(`UPDATE slots SET version = version + 1 WHERE id = :id`, { replacements: { id: second }, transaction: tx });
				},
				{ onRetry: (_, code) => retries.push(code) }
			);
		};
		await Promise.all([run(String(x.id), String(y.id)), run(String(y.id), String(x.id))]);
		expect(retries).toEqual(['40P01']);
		expect([(await x.reload()).version, (await y.reload()).version]).toEqual(['3', '3']);
	});

	it('booking numbers are 8 digits and distinct for distinct sequence values', () => {
		const seen = new Set(Array.from({ length: 10_000 }, (_, i) => formatBookingNumber(BigInt(i + 1))));
		expect(seen.size).toBe(10_000);
		for (const n of [...seen].slice(0, 5)) expect(n).toMatch(/^\d{4}-\d{4}$/);
	});
});
