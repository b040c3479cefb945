import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSchedule, makeSlot, makeStaff } from '../harness/factories.ts';
import { markNoShows, NO_SHOW_TOPIC } from '../../src/lib/server/noshow/mark.ts';
import { exportList } from '../../src/lib/server/lists/export.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { JOBS, startJobs } from '../../server/jobs.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'noshows');
});
afterAll(async () => t?.drop());

const at = (iso: string) => new Date(iso);
const MON_1800 = at('2026-12-07T18:00:00+09:00');

async function reservation(id: string) {
	return (await t.db.models.Reservation.findByPk(id))!;
}
async function cardStatuses(ids: string[]) {
	return (await t.db.models.CardRecord.findAll({ where: { id: ids }, order: [['id', 'ASC']] })).map((c) => c.status);
}
async function followUps(reservationId: string) {
	return t.db.models.Outbox.count({ where: { topic: NO_SHOW_TOPIC, payload: { reservationId } } });
}

describe('no-shows at closing time', () => {
	it('R-S13 R-S08 after the day’s last slot, unvisited bookings become 未来庁: cards with history, one follow-up for those with an email, places not given back', async () => {
		const loc = await makeLocation(t.db);
		const morning = await makeSlot(t.db, loc.id, '2026-12-07', '09:00', 10);
		await makeSlot(t.db, loc.id, '2026-12-07', '16:30', 10); // the day closes at 17:00
		const tomorrow = await makeSlot(t.db, loc.id, '2026-12-08', '09:00', 10);
		const mailed = await makeReservation(t.db, morning, 2);
		await t.db.models.Reservation.update({ email: 'someone@example.jp' }, { where: { id: mailed.reservationId } });
		const silent = await makeReservation(t.db, morning, 1);
		const came = await makeReservation(t.db, morning, 1);
		await t.db.models.Reservation.update({ checkedInAt: at('2026-12-07T09:05:00+09:00') }, { where: { id: came.reservationId } });
		const later = await makeReservation(t.db, tomorrow, 1);

		// 16:59: the day has not closed yet
		const early = testContext(t.db, { now: at('2026-12-07T16:59:00+09:00') });
		expect(await markNoShows(early.ctx)).toEqual({ reservations: 0, cards: 0, followUps: 0 });

		const { ctx, events } = testContext(t.db, { now: MON_1800 });
		const r = await markNoShows(ctx);
		expect(r).toEqual({ reservations: 2, cards: 3, followUps: 1 });
		expect((await reservation(mailed.reservationId)).status).toBe('no_show');
		expect((await reservation(silent.reservationId)).status).toBe('no_show');
		expect((await reservation(came.reservationId)).status).toBe('active');
		expect((await reservation(later.reservationId)).status).toBe('active');
		expect(await cardStatuses(mailed.cardIds)).toEqual(['no_show', 'no_show']);
		expect(await cardStatuses(later.cardIds)).toEqual(['reserved']);
		const history = await t.db.models.CardStatusHistory.findAll({ where: { cardRecordId: mailed.cardIds } });
		expect(history.map((h) => [h.fromStatus, h.toStatus, h.actorType, String(h.reservationId)])).toEqual([
			['reserved', 'no_show', 'system', mailed.reservationId],
			['reserved', 'no_show', 'system', mailed.reservationId]
		]);
		expect(await followUps(mailed.reservationId)).toBe(1);
		expect(await followUps(silent.reservationId)).toBe(0);
		// the time is past: the places stay taken
		expect((await morning.reload()).booked).toBe(4);
		const persons = await t.db.models.ReservationPerson.findAll({ where: { reservationId: mailed.reservationId } });
		expect(persons.map((p) => p.active)).toEqual([false, false]);
		expect(events).toEqual([
			{
				type: 'cardStatusChanged',
				changes: expect.arrayContaining([
					{ cardId: mailed.cardIds[0], locationId: loc.id, date: '2026-12-07', from: 'reserved', to: 'no_show' },
					{ cardId: silent.cardIds[0], locationId: loc.id, date: '2026-12-07', from: 'reserved', to: 'no_show' }
				])
			}
		]);
		const audits = await t.db.models.AuditLog.findAll({ where: { action: 'reservation.no_show', targetId: [mailed.reservationId, silent.reservationId] } });
		expect(audits.map((a) => a.actorType)).toEqual(['system', 'system']);

		// a second run finds nothing: each booking is marked and mailed once
		expect(await markNoShows(ctx)).toEqual({ reservations: 0, cards: 0, followUps: 0 });
		expect(await followUps(mailed.reservationId)).toBe(1);
	});

	it('R-S13 closing time is per location and day: a location open until 19:00 is marked only after 19:00', async () => {
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-12-09', '09:00', 5);
		await makeSlot(t.db, loc.id, '2026-12-09', '18:30', 5);
		const r = await makeReservation(t.db, slot, 1);
		await markNoShows(testContext(t.db, { now: at('2026-12-09T18:59:00+09:00') }).ctx);
		expect((await reservation(r.reservationId)).status).toBe('active');
		await markNoShows(testContext(t.db, { now: at('2026-12-09T19:00:00+09:00') }).ctx);
		expect((await reservation(r.reservationId)).status).toBe('no_show');
	});

	it('R-S13 R-O01 two nodes running the job at once mark each booking once and queue one mail each', async () => {
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-12-10', '09:00', 50);
		const made = [];
		for (let i = 0; i < 12; i++) {
			const r = await makeReservation(t.db, slot, 1);
			await t.db.models.Reservation.update({ email: `p${i}@example.jp` }, { where: { id: r.reservationId } });
			made.push(r);
		}
		const now = at('2026-12-10T20:00:00+09:00');
		const [a, b] = await Promise.all([markNoShows(testContext(t.db, { now }).ctx), markNoShows(testContext(t.db, { now }).ctx)]);
		// (earlier tests' later-day bookings are due too by now: count only this test's)
		expect(a.followUps + b.followUps).toBe(12);
		for (const r of made) {
			expect((await reservation(r.reservationId)).status).toBe('no_show');
			expect(await followUps(r.reservationId)).toBe(1);
		}
		const history = await t.db.models.CardStatusHistory.count({ where: { cardRecordId: made.map((r) => r.cardIds[0]), toStatus: 'no_show' } });
		expect(history).toBe(12);
	});

	it('R-S13 R-C12 a no-show may book again (the card is free), and the no-show list shows email and follow-up state', async () => {
		const loc = await makeLocation(t.db, { nameJa: '東支所' });
		await makeSchedule(t.db, loc.id);
		const past = await makeSlot(t.db, loc.id, '2026-12-11', '10:00', 5);
		const withMail = await makeReservation(t.db, past, 1);
		await t.db.models.Reservation.update({ email: 'x@example.jp' }, { where: { id: withMail.reservationId } });
		const noMail = await makeReservation(t.db, past, 1);
		const { ctx } = testContext(t.db, { now: at('2026-12-11T18:00:00+09:00') });
		await markNoShows(ctx);

		const u = await makeStaff(t.db, 'clerk');
		const clerk: Principal = { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 't' };
		const read = async () =>
			parse((Buffer.from(await new Response((await exportList(ctx, clerk, { kind: 'no-shows', locationId: loc.id, from: '2026-12-11', to: '2026-12-11', format: 'csv', encoding: 'utf-8' })).body).arrayBuffer())).subarray(3).toString('utf8')) as string[][];
		let rows = await read();
		expect(rows[0]).toEqual(['日付', '時間', '予約番号', '氏名', '氏名カナ', '連絡先メールの有無', 'フォローアップ送信']);
		const bn = async (id: string) => (await reservation(id)).bookingNumber;
		expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[5], r[6]])).toEqual(
			[
				['2026-12-11', '10:00', await bn(withMail.reservationId), 'あり', '送信待ち'],
				['2026-12-11', '10:00', await bn(noMail.reservationId), 'なし', '対象外（メールなし）']
			].sort((x, y) => (x[2] < y[2] ? -1 : 1))
		);
		await t.db.sequelize.query(`UPDATE outbox SET published_at = now() WHERE topic = :topic AND payload->>'reservationId' = :id`, { replacements: { topic: NO_SHOW_TOPIC, id: withMail.reservationId } });
		rows = await read();
		const mailedNumber = await bn(withMail.reservationId);
		expect(rows.find((r) => r[2] === mailedNumber)?.[6]).toBe('送信済');

		// the card is no longer held by the missed visit: it can be booked again
		const card = (await t.db.models.CardRecord.findByPk(noMail.cardIds[0]))!;
		const next = await makeSlot(t.db, loc.id, '2026-12-15', '10:00', 5);
		const booked = await createStaffReservation(ctx, clerk, { slotId: String(next.id), persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }] });
		expect(booked.bookingNumber).toMatch(/^\d{4}-\d{4}$/);
		expect((await card.reload()).status).toBe('reserved');
	});

	it('R-S13 the job is scheduled every 15 minutes on pg-boss and marks through its worker', async () => {
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-12-14', '09:00', 5);
		const r = await makeReservation(t.db, slot, 1);
		const { ctx } = testContext(t.db, { now: at('2026-12-14T18:00:00+09:00') });
		const jobs = await startJobs(ctx, t.url);
		try {
			const schedule = (await jobs.boss.getSchedules()).find((s) => s.name === JOBS.markNoShows);
			expect(schedule).toMatchObject({ cron: '*/15 * * * *' });
			await jobs.boss.send(JOBS.markNoShows, {});
			const deadline = Date.now() + 20_000;
			while ((await reservation(r.reservationId)).status !== 'no_show' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
			expect((await reservation(r.reservationId)).status).toBe('no_show');
		} finally {
			await jobs.stop();
		}
	});
});
