/**
 * Issue 17 (item 6): every write that queues mail asks for a delivery run once after its commit —
 * through the one after-commit `publish` — and not a second time right after it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId, typed } from '../harness/factories.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { cancelStaffReservation } from '../../src/lib/server/booking/cancel.ts';
import { confirmHold, createHold } from '../../src/lib/server/booking/holds.ts';
import { addManagedPerson } from '../../src/lib/server/citizen/manage.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { AppContext } from '../../src/lib/server/context.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'outbox_kick');
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 in Tokyo
const DAY = '2026-12-01';

/** A test context that counts the kicks of the outbox worker. */
function counted() {
	const { ctx } = testContext(t.db, { now: NOW });
	const kicks = { n: 0 };
	(ctx as AppContext).kickOutbox = () => void kicks.n++;
	return { ctx, kicks };
}

async function bookable(capacity: number) {
	const loc = await makeLocation(t.db);
	await makeSchedule(t.db, loc.id);
	return makeSlot(t.db, loc.id, DAY, '10:00', capacity);
}

async function clerk(): Promise<Principal> {
	const u = await makeStaff(t.db, 'clerk');
	return { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
}

describe('R-C09 the outbox is kicked once per committed write', () => {
	it('R-S04 R-C09 a staff booking and its cancel each queue their mail and kick the outbox once', async () => {
		const { ctx, kicks } = counted();
		const slot = await bookable(2);
		const card = await makeCard(t.db);
		const p = await clerk();
		const r = await createStaffReservation(ctx, p, { slotId: String(slot.id), persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }], email: 'kick@example.jp' });
		expect(kicks.n).toBe(1);
		await cancelStaffReservation(ctx, p, { reservationId: r.id, reason: '本人から電話' });
		expect(kicks.n).toBe(2);
		const [rows] = (await t.db.sequelize.query(`SELECT topic FROM outbox WHERE payload->>'reservationId' = :id ORDER BY id`, { replacements: { id: r.id } })) as [{ topic: string }[], unknown];
		expect(rows.map((x) => x.topic)).toEqual(['reservation.created', 'reservation.cancelled']);
	});

	it('R-C10 R-C09 a household member added on the manage page queues one mail and kicks the outbox once', async () => {
		const { ctx, kicks } = counted();
		const slot = await bookable(3);
		const me = await citizenSession(ctx);
		const h = await createHold(ctx, me, { slotId: String(slot.id), purposeId: await purposeId(t.db), persons: [typed(await makeCard(t.db))] });
		const r = await confirmHold(ctx, me, h.holdId);
		const before = kicks.n;
		const v = await addManagedPerson(ctx, r.manageUrl.split('/manage/')[1], typed(await makeCard(t.db)));
		expect(v.partySize).toBe(2);
		expect(kicks.n - before).toBe(1);
	});
});
