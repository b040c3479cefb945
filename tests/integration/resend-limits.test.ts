/**
 * R-O04 R-C09: staff resend of booking mails was unlimited (a way to flood a citizen's mailbox from
 * the city's domain). Now limited per booking and per staff user: 429 with Retry-After, nothing
 * queued; the API and the staff mail page's form alike.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import * as resendRoute from '../../src/routes/api/v1/staff/reservations/[id]/resend/+server.ts';

let t: TestDatabase;
let loc: { id: number };
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'resend_limits');
	setAppContext(testContext(t.db, { config: { RESEND_PER_RESERVATION_PER_HOUR: '3', RESEND_PER_STAFF_PER_HOUR: '5', REDIS_KEY: `resend-${process.pid}` } }).ctx);
	loc = await makeLocation(t.db);
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

async function staff(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}
let hh = 9;
async function booking(): Promise<{ id: string; number: string }> {
	const slot = await makeSlot(t.db, loc.id, '2026-12-10', `${String(hh++).padStart(2, '0')}:00`, 5);
	const r = await makeReservation(t.db, slot);
	await t.db.sequelize.query(`UPDATE reservations SET email = 'citizen@example.jp' WHERE id = :id`, { replacements: { id: r.reservationId } });
	const number = (await t.db.models.Reservation.findByPk(r.reservationId))!.bookingNumber;
	return { id: r.reservationId, number };
}
function resend(id: string, principal: Principal) {
	const url = new URL(`http://127.0.0.1/api/v1/staff/reservations/${id}/resend`);
	const event = { request: new Request(url, { method: 'POST' }), url, params: { id }, locals: { principal, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
	return (resendRoute.POST as unknown as (e: typeof event) => Promise<Response>)(event);
}
const queued = async () => (await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE topic = 'reservation.resend'`, { type: QueryTypes.SELECT }))[0].n;

describe('R-O04 staff resend limits', () => {
	it('R-O04 R-C09 per booking: three resends an hour, the fourth 429 with Retry-After and nothing queued, even by another clerk', async () => {
		const b = await booking();
		const a = await staff('clerk');
		for (let i = 0; i < 3; i++) expect((await resend(b.id, a)).status).toBe(202);
		const before = await queued();
		for (const who of [a, await staff('supervisor')]) {
			const res = await resend(b.id, who);
			expect(res.status).toBe(429);
			expect(res.headers.get('content-type')).toContain('application/problem+json');
			expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
			expect((await res.json()).detail).toMatch(/再送.*\d{2}:\d{2} 以降/);
		}
		expect(await queued()).toBe(before);
		// another booking is not affected
		expect((await resend((await booking()).id, await staff('clerk'))).status).toBe(202);
	});

	it('R-O04 R-C09 per staff user: five resends an hour over any bookings; the sixth 429; a colleague still resends', async () => {
		const a = await staff('clerk');
		for (let i = 0; i < 5; i++) expect((await resend((await booking()).id, a)).status).toBe(202);
		const b = await booking();
		expect((await resend(b.id, a)).status).toBe(429);
		expect((await resend(b.id, await staff('clerk'))).status).toBe(202);
	});

	it('R-O04 R-C09 the staff mail page form answers the limit with a readable message (429), nothing queued', async () => {
		const { actions } = await import('../../src/routes/staff/(app)/mail/+page.server.ts');
		const clerk = await staff('clerk');
		const b = await booking();
		const submit = async () => {
			const f = new FormData();
			f.append('bookingNumber', b.number);
			const request = new Request('http://127.0.0.1/staff/mail?/resend', { method: 'POST', body: f });
			return (actions.resend as (e: unknown) => Promise<unknown>)({ request, locals: { principal: clerk, lang: 'ja' }, getClientAddress: () => '127.0.0.1' }) as Promise<{ resent?: string; status?: number; data?: { message: string } }>;
		};
		for (let i = 0; i < 3; i++) expect(await submit()).toEqual({ resent: b.number });
		const before = await queued();
		const refused = await submit();
		expect(refused.status).toBe(429);
		expect(refused.data?.message).toContain('しばらく再送できません');
		expect(await queued()).toBe(before);
	});
});
