/**
 * What an attacker typed into the boundaries (R-O04): mailbox variants that dodged the per-mailbox
 * limit of sign-in links, and addresses the API refused but the staff form stored.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import { mailboxKey } from '../../src/lib/domain/mail-format.ts';
import { emailAddress } from '../../src/lib/server/schemas.ts';
import { addContact } from '../../src/lib/server/ops/emergency.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { importReservations } from '../../src/lib/server/cards/import-reservations.ts';
import * as linksRoute from '../../src/routes/api/v1/citizen/links/+server.ts';
import * as staffReservationsRoute from '../../src/routes/api/v1/staff/reservations/+server.ts';

let t: TestDatabase;
const who: Partial<Record<Role, Principal>> = {};
let slotId: string;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'abuse_input');
	setAppContext(testContext(t.db).ctx);
	const loc = await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	slotId = String((await makeSlot(t.db, loc.id, '2026-12-10', '10:00', 5)).id);
	for (const role of ['clerk', 'admin'] as const) {
		const u = await makeStaff(t.db, role);
		who[role] = { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
	}
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

type Handler = (event: never) => Promise<Response> | Response;
function post(handler: Handler, path: string, body: unknown, opts: { role?: Role; ip?: string } = {}) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	const event = { request, url, params: {}, locals: { principal: opts.role ? who[opts.role]! : null, lang: 'ja' }, getClientAddress: () => opts.ip ?? '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

describe('R-O04 sign-in links are limited per mailbox, not per spelling', () => {
	it('R-O04 R-C02 victim+1@, victim+2@, V.I.C.T.I.M@ and the rest count as one mailbox: five links, every answer 202 and the same', async () => {
		const variants = ['victim@example.jp', 'victim+1@example.jp', 'victim+2@example.jp', 'v.i.c.t.i.m@example.jp', 'Victim@Example.JP', 'vic.tim+x@example.jp', 'VICTIM+promo@example.jp', 'v.ictim+3@example.jp', 'victim+4@example.jp', 'victim.+5@example.jp'];
		const bodies = new Set<string>();
		for (const [i, email] of variants.entries()) {
			const res = await post(linksRoute.POST, '/api/v1/citizen/links', { email }, { ip: `198.51.100.${i + 1}` });
			expect(res.status).toBe(202);
			bodies.add(await res.text());
		}
		expect(bodies.size).toBe(1);
		const [{ n }] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM citizen_links WHERE email ILIKE '%@example.jp'`, { type: QueryTypes.SELECT });
		expect(n).toBe(5);
		// another mailbox at the same provider is untouched
		expect((await post(linksRoute.POST, '/api/v1/citizen/links', { email: 'neighbour@example.jp' }, { ip: '198.51.100.99' })).status).toBe(202);
		const [{ m }] = await t.db.sequelize.query<{ m: number }>(`SELECT count(*)::int AS m FROM citizen_links WHERE email = 'neighbour@example.jp'`, { type: QueryTypes.SELECT });
		expect(m).toBe(1);
	});

	it('R-O04 mailboxKey: lower-case, +tag dropped, dots of the local part ignored, the domain kept', () => {
		expect(mailboxKey(' V.i.c.t.i.m+Tag@Example.JP ')).toBe('victim@example.jp');
		expect(mailboxKey('victim@example.jp')).toBe('victim@example.jp');
		expect(mailboxKey('victim@ex.ample.jp')).toBe('victim@ex.ample.jp');
		expect(mailboxKey('victim@other.jp')).not.toBe(mailboxKey('victim@example.jp'));
	});
});

describe('R-O04 one email rule at every boundary', () => {
	const BAD = ['victim,evil@example.jp', 'victim@example.jp,evil@example.jp', 'Victim <victim@example.jp>', 'victim@example.jp\r\nBcc: evil@example.jp', '"a b"@example.jp', 'victim@localhost', 'victim @example.jp'];

	it('R-O04 the schema refuses every form of more-than-one-address and keeps a plain one', () => {
		for (const b of BAD) expect(emailAddress.safeParse(b).success, b).toBe(false);
		expect(emailAddress.parse('  taro.yamada+card@example.city.lg.jp ')).toBe('taro.yamada+card@example.city.lg.jp');
	});

	it('R-O04 R-C02 the citizen links API answers 400 problem+json for victim,evil@', async () => {
		const res = await post(linksRoute.POST, '/api/v1/citizen/links', { email: 'victim,evil@example.jp' }, { ip: '198.51.100.200' });
		expect(res.status).toBe(400);
		expect(res.headers.get('content-type')).toContain('application/problem+json');
	});

	it('R-O04 R-S04 the staff API, the use case and the staff booking form refuse it; nothing is stored', async () => {
		const card = await makeCard(t.db);
		const api = await post(staffReservationsRoute.POST, '/api/v1/staff/reservations', { slotId, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }], email: 'victim,evil@example.jp' }, { role: 'clerk' });
		expect(api.status).toBe(400);
		expect((await api.json()).errors.map((e: { field: string }) => e.field)).toContain('email');
		await expect(createStaffReservation(testContext(t.db).ctx, who.clerk!, { slotId, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }], email: 'victim,evil@example.jp' })).rejects.toMatchObject({ status: 400 });

		const { actions } = await import('../../src/routes/staff/(app)/reservations/new/+page.server.ts');
		const f = new FormData();
		for (const [k, v] of Object.entries({ slotId, personCount: '1', noticeId0: card.noticeId, birthDate0: card.birthDate, email: 'victim,evil@example.jp' })) f.append(k, v);
		const request = new Request('http://127.0.0.1/staff/reservations/new', { method: 'POST', body: f });
		const r = (await (actions.book as (e: unknown) => Promise<unknown>)({ request, locals: { principal: who.clerk!, lang: 'ja' }, getClientAddress: () => '127.0.0.1' })) as { status: number; data: { errors: Record<string, string> } };
		expect(r.status).toBe(400);
		expect(r.data.errors.email).toContain('メールアドレス');
		expect(await t.db.models.Reservation.count()).toBe(0);
	});

	it('R-O04 R-O07 an emergency contact with victim,evil@ is refused with the field named', async () => {
		await expect(addContact(testContext(t.db).ctx, who.admin!, { name: '防災担当', email: 'victim,evil@example.jp' })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'email' })] });
		const [{ n }] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM emergency_contacts`, { type: QueryTypes.SELECT });
		expect(n).toBe(0);
	});

	it('R-O04 R-S16 a reservation import row with victim,evil@ is a line error, nothing written', async () => {
		const card = await makeCard(t.db);
		const csv = ['予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻,用件,メールアドレス', `,${card.noticeId},${card.birthDate},honcho,2026-12-10,10:00,,"victim,evil@example.jp"`].join('\n');
		async function* body() {
			yield new TextEncoder().encode(csv);
		}
		const e = await importReservations(testContext(t.db).ctx, who.clerk!, { body: body(), encoding: 'auto' }).then(
			() => null,
			(x) => x
		);
		expect(e?.status).toBe(422);
		expect(e.extra.errors).toEqual([expect.objectContaining({ line: 2, column: 'メールアドレス' })]);
		expect(await t.db.models.Reservation.count()).toBe(0);
	});
});
