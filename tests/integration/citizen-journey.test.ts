import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createClient } from 'redis';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, purposeId, typed } from '../harness/factories.ts';
import { requestLink } from '../../src/lib/server/citizen/links.ts';
import { authenticateCitizen, openCitizenSession } from '../../src/lib/server/citizen/session.ts';
import { linkToken, manageToken } from '../../src/lib/server/citizen/tokens.ts';
import { confirmHold, createHold } from '../../src/lib/server/booking/holds.ts';
import { addManagedPerson, cancelManaged, moveManaged, viewManaged } from '../../src/lib/server/citizen/manage.ts';
import { maintenanceState, setMaintenance } from '../../src/lib/server/citizen/maintenance.ts';
import { cardDelaySeconds } from '../../src/lib/server/citizen/verify.ts';
import type { AppContext } from '../../src/lib/server/context.ts';

let t: TestDatabase;
let redis: ReturnType<typeof createClient>;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'citizen', { poolMax: 10 });
	redis = createClient({ url: inject('redisUrl') });
	await redis.connect();
});
afterAll(async () => {
	await redis?.close();
	await t?.drop();
});

const NOW = new Date('2026-11-24T00:00:00Z'); // 09:00 Tokyo
const DAY = '2026-12-01';

/** A context whose limits live in the real Redis, under a prefix of its own. */
function redisContext() {
	const c = testContext(t.db, { now: NOW, config: { REDIS_KEY: `t-${t.name}` } });
	(c.ctx as AppContext).redis = { mode: 'redis', ping: async () => true, client: redis };
	return c;
}

async function links(email: string) {
	const [rows] = (await t.db.sequelize.query(`SELECT id, expires_at, used_at FROM citizen_links WHERE email = :email ORDER BY created_at`, { replacements: { email } })) as [
		{ id: string; expires_at: Date; used_at: Date | null }[],
		unknown
	];
	return rows;
}

describe('R-C02 start by email', () => {
	it('R-C02 a link request answers the same for any address, writes the link and its mail in one go, and the link opens one session only', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await requestLink(ctx, { email: 'new@example.jp', lang: 'ja', ip: '10.1.0.1' });
		const [link] = await links('new@example.jp');
		expect(new Date(link.expires_at).getTime() - NOW.getTime()).toBe(30 * 60_000);
		const [[mail]] = (await t.db.sequelize.query(`SELECT topic, payload FROM outbox WHERE payload->>'linkId' = :id`, { replacements: { id: link.id } })) as [
			{ topic: string; payload: unknown }[],
			unknown
		];
		expect(mail).toEqual({ topic: 'citizen.link', payload: { linkId: link.id } });
		const token = linkToken(ctx.jwtSecret, link.id);
		const s = await openCitizenSession(ctx, token);
		const who = await authenticateCitizen(ctx, s.token);
		expect(who).toMatchObject({ email: 'new@example.jp', lang: 'ja' });
		await expect(openCitizenSession(ctx, token)).rejects.toMatchObject({ status: 410, extra: { reason: 'used' } });
		// a forged signature or another link id is refused the same way
		await expect(openCitizenSession(ctx, `${link.id}.${'x'.repeat(32)}`)).rejects.toMatchObject({ status: 410, extra: { reason: 'invalid' } });
		await expect(openCitizenSession(ctx, 'garbage')).rejects.toMatchObject({ status: 410 });
	});

	it('R-C02 an expired link says so and opens nothing; a staff token is no citizen session', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		await requestLink(ctx, { email: 'late@example.jp', lang: 'en', ip: '10.1.0.2' });
		const [link] = await links('late@example.jp');
		clock.now = new Date(NOW.getTime() + 31 * 60_000);
		const e = await openCitizenSession(ctx, linkToken(ctx.jwtSecret, link.id)).catch((x) => x);
		expect(e).toMatchObject({ status: 410, extra: { reason: 'expired' } });
		expect(e.en).toContain('expired');
		expect(await authenticateCitizen(ctx, 'not-a-jwt')).toBeNull();
	});

	it('R-C02 R-C14 beyond a few links an hour the address gets no more mail, with the same answer; a client address flooding gets 429', async () => {
		const { ctx } = redisContext();
		for (let i = 0; i < 8; i++) await requestLink(ctx, { email: 'flood@example.jp', lang: 'ja', ip: `10.2.0.${i}` });
		expect(await links('flood@example.jp')).toHaveLength(5);
		let refused: unknown = null;
		for (let i = 0; i < 40 && !refused; i++) refused = await requestLink(ctx, { email: `x${i}@example.jp`, lang: 'ja', ip: '10.3.0.1' }).then(() => null, (e) => e);
		expect(refused).toMatchObject({ status: 429, extra: { retryAfter: expect.any(Number) } });
	});
});

describe('R-C14 lockout after repeated wrong verifications', () => {
	it('R-C14 five failures lock the session (and the card in it) out for 30 minutes with the time to retry; nodes share it through Redis', async () => {
		const { ctx } = redisContext();
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', 5);
		const purpose = await purposeId(t.db);
		const card = await makeCard(t.db, { birthDate: '1970-03-03' });
		const me = await citizenSession(ctx);
		const wrong = [{ noticeId: card.noticeId, birthMonthDay: '03-04' }];
		const statuses: number[] = [];
		for (let i = 0; i < 5; i++) statuses.push((await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: wrong }).catch((e) => e)).status);
		expect(statuses).toEqual([422, 422, 422, 422, 429]);
		// even the right answer is refused now, in this session — on any node (the same Redis)
		const { ctx: nodeB } = redisContext();
		const locked = await createHold(nodeB, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] }).catch((e) => e);
		expect(locked).toMatchObject({ status: 429, extra: { retryAfter: expect.any(Number) } });
		expect(locked.extra.retryAfter).toBeGreaterThan(29 * 60);
		expect(locked.message).toMatch(/\d{2}:\d{2} 以降/);
		expect((await slot.reload()).held).toBe(0);
	});

	it('R-C14 R-O04 wrong birthdays for a known card, repeated from session after session, only slow that card: the citizen in their own session still verifies', async () => {
		const { ctx } = redisContext();
		(ctx.config as { CITIZEN_VERIFY_CARD_MAX_DELAY_SECONDS: number }).CITIZEN_VERIFY_CARD_MAX_DELAY_SECONDS = 1;
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, DAY, '10:30', 5);
		const purpose = await purposeId(t.db);
		const card = await makeCard(t.db, { birthDate: '1966-06-06' });
		const wrong = [{ noticeId: card.noticeId, birthMonthDay: '06-07' }];
		// the attacker, three sessions from three addresses: each session locks itself, nothing more
		for (let s = 0; s < 3; s++) {
			const attacker = await citizenSession(ctx);
			const seen: number[] = [];
			for (let i = 0; i < 5; i++) seen.push((await createHold(ctx, attacker, { slotId: String(slot.id), purposeId: purpose, persons: wrong }, `203.0.113.${20 + s}`).catch((e) => e)).status);
			expect(seen).toEqual([422, 422, 422, 422, 429]);
		}
		// the citizen, in their own session: delayed (the card is slowed), then verified and held
		const citizen = await citizenSession(ctx);
		const started = Date.now();
		const h = await createHold(ctx, citizen, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] }, '192.0.2.77');
		expect(h.partySize).toBe(1);
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		expect((await slot.reload()).held).toBe(1);
	});

	it('R-C14 the card delay grows 1, 2, 4 … seconds past the limit, up to its maximum', () => {
		expect([4, 5, 6, 7, 8, 20].map((f) => cardDelaySeconds(f, 5, 10))).toEqual([0, 1, 2, 4, 8, 10]);
	});
});

describe('R-C10 manage through the link', () => {
	async function booked(capacity = 3) {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', capacity);
		const later = await makeSlot(t.db, loc.id, DAY, '14:00', capacity);
		const purpose = await purposeId(t.db);
		const me = await citizenSession(ctx);
		const card = await makeCard(t.db);
		await card.update({ nameKanji: '山田 花子' });
		const h = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] });
		const r = await confirmHold(ctx, me, h.holdId);
		const token = r.manageUrl.split('/manage/')[1];
		return { ctx, clock, loc, slot, later, r, token, card };
	}

	it('R-C10 R-C09 the manage link shows the booking with masked names and the QR code, and nothing else opens it', async () => {
		const { ctx, r, token, card } = await booked();
		const v = await viewManaged(ctx, token);
		expect(v).toMatchObject({ reservationNumber: r.reservationNumber, status: 'active', canChange: true, partySize: 1, persons: [{ position: 1, name: '山田 ＊＊' }] });
		expect(v.checkinCode).toMatch(/^MN[0-9A-F]{32}$/);
		expect(JSON.stringify(v)).not.toContain(card.noticeId);
		expect(JSON.stringify(v)).not.toContain('花子');
		const ref = token.split('.')[0];
		await expect(viewManaged(ctx, `${ref}.${'A'.repeat(32)}`)).rejects.toMatchObject({ status: 404 });
		// a link of an older token version stops working
		await expect(viewManaged(ctx, manageToken(ctx.jwtSecret, ref, 2))).rejects.toMatchObject({ status: 404 });
	});

	it('R-C10 move to another time: one transaction, places moved, a change mail', async () => {
		const { ctx, slot, later, r, token } = await booked();
		const v = await moveManaged(ctx, token, String(later.id));
		expect(v.startsAt).toBe(`${DAY}T14:00:00+09:00`);
		expect([(await slot.reload()).booked, (await later.reload()).booked]).toEqual([0, 1]);
		const [topics] = (await t.db.sequelize.query(`SELECT topic FROM outbox WHERE payload->>'reservationId' = :id ORDER BY id`, { replacements: { id: r.reservationId } })) as [
			{ topic: string }[],
			unknown
		];
		expect(topics.map((x) => x.topic)).toEqual(['reservation.created', 'reservation.moved']);
		// a citizen cannot move into a full time
		await later.update({ capacity: 1 });
		await slot.update({ capacity: 0 });
		await expect(moveManaged(ctx, token, String(slot.id))).rejects.toMatchObject({ status: 409, extra: { reason: 'full' } });
	});

	it('R-C10 R-C07 add a verified household member, then cancel: places and cards follow, a mail each', async () => {
		const { ctx, slot, r, token } = await booked(2);
		const other = await makeCard(t.db, { birthDate: '2010-07-08' });
		const wrong = await addManagedPerson(ctx, token, { noticeId: other.noticeId, birthMonthDay: '07-09' }).catch((e) => e);
		expect(wrong).toMatchObject({ status: 422, extra: { reason: 'not_verified' } });
		const v = await addManagedPerson(ctx, token, typed(other));
		expect(v.partySize).toBe(2);
		expect((await slot.reload()).booked).toBe(2);
		expect((await other.reload()).status).toBe('reserved');
		// full now: a third cannot be added
		const third = await addManagedPerson(ctx, token, typed(await makeCard(t.db))).catch((e) => e);
		expect(third).toMatchObject({ status: 409, extra: { reason: 'full' } });
		const c = await cancelManaged(ctx, token);
		expect(c).toMatchObject({ status: 'cancelled', canChange: false, checkinCode: null });
		expect((await slot.reload()).booked).toBe(0);
		expect((await other.reload()).status).toBe('notice_sent');
		const [topics] = (await t.db.sequelize.query(`SELECT topic FROM outbox WHERE payload->>'reservationId' = :id ORDER BY id`, { replacements: { id: r.reservationId } })) as [
			{ topic: string }[],
			unknown
		];
		expect(topics.map((x) => x.topic)).toEqual(['reservation.created', 'reservation.person_added', 'reservation.cancelled']);
		await expect(cancelManaged(ctx, token)).rejects.toMatchObject({ status: 409 });
	});

	it('R-C10 a booking whose time has begun cannot be moved or cancelled by the citizen', async () => {
		const { ctx, clock, later, token } = await booked();
		clock.now = new Date(`${DAY}T10:05:00+09:00`);
		await expect(moveManaged(ctx, token, String(later.id))).rejects.toMatchObject({ status: 409 });
		await expect(cancelManaged(ctx, token)).rejects.toMatchObject({ status: 409 });
		expect((await viewManaged(ctx, token)).canChange).toBe(false);
	});
});

describe('R-C13 maintenance', () => {
	it('R-C13 an admin switch with a planned end closes the citizen site; a planned window is announced ahead', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const admin = { userId: 1, login: 'admin', displayName: '', role: 'admin' as const, locationId: null, sessionId: 's' };
		const clerk = { ...admin, role: 'clerk' as const };
		const until = new Date(NOW.getTime() + 3600_000);
		await expect(setMaintenance(ctx, clerk, { active: true, from: null, until, messageJa: '', messageEn: '' })).rejects.toMatchObject({ status: 403 });
		const on = await setMaintenance(ctx, admin, { active: true, from: null, until, messageJa: 'システム更新', messageEn: 'Update' });
		expect(on).toMatchObject({ active: true, until: until.toISOString(), announced: false });
		const from = new Date(NOW.getTime() + 86_400_000);
		const planned = await setMaintenance(ctx, admin, { active: false, from, until: new Date(from.getTime() + 7200_000), messageJa: '', messageEn: '' });
		expect(planned).toMatchObject({ active: false, announced: true });
		// Cached for two seconds per node, counted on a fake Date (timers and I/O stay real): no sleep.
		vi.useFakeTimers({ toFake: ['Date'] });
		try {
			await setMaintenance(ctx, admin, { active: false, from: null, until: null, messageJa: '', messageEn: '' });
			vi.advanceTimersByTime(2100);
			expect((await maintenanceState(ctx)).active).toBe(false);
			// a switch made on another node (straight in the database) shows here within the two seconds, not before
			await t.db.sequelize.query(`UPDATE city_settings SET maintenance_active = true WHERE id = 1`);
			vi.advanceTimersByTime(1999);
			expect((await maintenanceState(ctx)).active).toBe(false);
			vi.advanceTimersByTime(1);
			expect((await maintenanceState(ctx)).active).toBe(true);
			await setMaintenance(ctx, admin, { active: false, from: null, until: null, messageJa: '', messageEn: '' });
		} finally {
			vi.useRealTimers();
		}
	});
});

describe('R-C14 per client address', () => {
	it('R-C14 failures from many sessions behind one address lock that address out, not another', async () => {
		const { ctx } = redisContext();
		(ctx.config as { CITIZEN_VERIFY_MAX_FAILURES_PER_IP: number }).CITIZEN_VERIFY_MAX_FAILURES_PER_IP = 3;
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, DAY, '11:00', 5);
		const purpose = await purposeId(t.db);
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) {
			const s = await citizenSession(ctx);
			const wrong = [{ noticeId: `77${i}0000000`, birthMonthDay: '01-01' }];
			statuses.push((await createHold(ctx, s, { slotId: String(slot.id), purposeId: purpose, persons: wrong }, '198.51.100.7').catch((e) => e)).status);
		}
		expect(statuses).toEqual([422, 422, 429]);
		const fresh = await citizenSession(ctx);
		const card = await makeCard(t.db);
		await expect(createHold(ctx, fresh, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] }, '198.51.100.7')).rejects.toMatchObject({ status: 429 });
		const h = await createHold(ctx, fresh, { slotId: String(slot.id), purposeId: purpose, persons: [typed(card)] }, '198.51.100.8');
		expect(h.partySize).toBe(1);
	});
});
