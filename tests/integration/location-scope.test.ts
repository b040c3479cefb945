/**
 * R-S01 R-O04 broken access control: a viewer or clerk sees and acts only on the locations they
 * serve (staff_user_locations), through the real route handlers, the real session (login →
 * authenticate) and a real Postgres. Location B is not served by the clerk and viewer of A:
 * every read is 403 problem+json, every write is 403 with nothing written; A works. Admins and
 * supervisors are not limited, nor is a clerk with no served locations listed.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import { QueryTypes } from 'sequelize';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeReservation, makeSchedule, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import { authenticate, login, type Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import { createRealtime, type Realtime } from '../../server/realtime/hub.ts';
import type { Ack, SlotsPush } from '../../src/lib/realtime/events.ts';
import { updateUser } from '../../src/lib/server/users/write.ts';
import { mailQueue } from '../../src/lib/server/mail/queue.ts';
import { importCards } from '../../src/lib/server/cards/import.ts';
import { importReservations } from '../../src/lib/server/cards/import-reservations.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import { randomUUID } from 'node:crypto';
import { setSlotCapacity } from '../../src/lib/server/scheduling/capacity.ts';
import * as slotsRoute from '../../src/routes/api/v1/staff/slots/+server.ts';
import * as reservationsRoute from '../../src/routes/api/v1/staff/reservations/+server.ts';
import * as reservationRoute from '../../src/routes/api/v1/staff/reservations/[id]/+server.ts';
import * as checkInByIdRoute from '../../src/routes/api/v1/staff/reservations/[id]/check-in/+server.ts';
import * as checkInRoute from '../../src/routes/api/v1/staff/check-in/+server.ts';
import * as issueRoute from '../../src/routes/api/v1/staff/reservations/[id]/cards/[cardId]/issue/+server.ts';
import * as redoRoute from '../../src/routes/api/v1/staff/reservations/[id]/cards/[cardId]/needs-redo/+server.ts';
import * as resendRoute from '../../src/routes/api/v1/staff/reservations/[id]/resend/+server.ts';
import * as cardsRoute from '../../src/routes/api/v1/staff/cards/+server.ts';
import * as cardsExportRoute from '../../src/routes/api/v1/staff/cards/export/+server.ts';
import * as cardStatusRoute from '../../src/routes/api/v1/staff/cards/status/+server.ts';
import * as cardHistoryRoute from '../../src/routes/api/v1/staff/cards/[id]/history/+server.ts';
import * as listsRoute from '../../src/routes/api/v1/staff/lists/[kind]/+server.ts';
import * as notesRoute from '../../src/routes/api/v1/staff/persons/[cardId]/notes/+server.ts';
import * as boardPage from '../../src/routes/board/[location]/+page.server.ts';
import * as slotsPage from '../../src/routes/staff/(app)/slots/+page.server.ts';
import * as staffLayout from '../../src/routes/staff/(app)/+layout.server.ts';
import * as checkinPage from '../../src/routes/staff/(app)/checkin/+page.server.ts';

const NOW = new Date('2026-11-25T01:05:00Z'); // Wednesday 10:05 in Tokyo
const TODAY = '2026-11-25';
const LATER = '2026-11-27'; // a Friday: open by the default rules

let t: TestDatabase;
let ctx: AppContext;
let http: HttpServer;
let rt: Realtime;
let url: string;
const sockets: Socket[] = [];

let A: { id: number; nameJa: string };
let B: { id: number; nameJa: string };
const tokens: Record<string, string> = {};
const who: Record<string, Principal> = {};

/** A staff user with a real session: the Principal is what authenticate loads for its token. */
async function staff(name: string, role: Role, served: number[]) {
	const u = await makeStaff(t.db, role, 'pw-scope-test-1', `scope_${name}`);
	for (const loc of served) await t.db.sequelize.query(`INSERT INTO staff_user_locations (staff_user_id, location_id) VALUES (:u, :l)`, { replacements: { u: u.id, l: loc } });
	const s = await login(ctx, { login: u.login, password: 'pw-scope-test-1' });
	tokens[name] = s.token;
	who[name] = (await authenticate(ctx, s.token))!;
}

type Handler = (event: never) => Promise<Response> | Response;
async function call(handler: Handler, opts: { as: Principal | null; params?: Record<string, string>; url?: string; method?: string; body?: unknown }) {
	const u = new URL(opts.url ?? 'http://127.0.0.1/x');
	const hasBody = opts.body !== undefined;
	const request = new Request(u, {
		method: opts.method ?? (hasBody ? 'POST' : 'GET'),
		headers: hasBody ? { 'content-type': 'application/json' } : {},
		body: hasBody ? JSON.stringify(opts.body) : undefined
	});
	const event = { request, url: u, params: opts.params ?? {}, locals: { principal: opts.as, citizen: null, lang: 'ja' }, getClientAddress: () => '127.0.0.1', cookies: { get: () => undefined, set: () => {} } };
	const res = await handler(event as never);
	const text = await res.text();
	const type = res.headers.get('content-type') ?? '';
	return { status: res.status, type, text, body: type.includes('json') && text ? JSON.parse(text) : null };
}

/** A refusal as the contract says: 403 problem+json whose Japanese message names the location. */
function expectRefused(r: Awaited<ReturnType<typeof call>>, where = B.nameJa) {
	expect(r.status).toBe(403);
	expect(r.type).toContain('application/problem+json');
	expect(r.body.detail ?? r.body.title).toContain(where);
}

let visits = 0;
async function visitAt(loc: { id: number }, date = TODAY, cardAt?: number) {
	const n = visits++;
	// each visit its own slot time (quarter past or to), apart from the whole and half hours used below
	const slot = await makeSlot(t.db, loc.id, date, `${String(6 + Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '45' : '15'}`, 5);
	const r = await makeReservation(t.db, slot, 1);
	if (cardAt) await t.db.sequelize.query(`UPDATE card_records SET storage_location_id = :l WHERE id = :c`, { replacements: { l: cardAt, c: r.cardIds[0] } });
	await t.db.sequelize.query(`UPDATE reservations SET email = 'someone@example.jp' WHERE id = :id`, { replacements: { id: r.reservationId } });
	const [{ checkin_code: code, booking_number: bookingNumber, notice_id: noticeId }] = await t.db.sequelize.query<{ checkin_code: string; booking_number: string; notice_id: string }>(
		`SELECT r.checkin_code, r.booking_number, c.notice_id FROM reservations r JOIN reservation_persons p ON p.reservation_id = r.id JOIN card_records c ON c.id = p.card_record_id WHERE r.id = :id`,
		{ replacements: { id: r.reservationId }, type: QueryTypes.SELECT }
	);
	return { slot, code, bookingNumber, noticeId, ...r };
}

/** Everything a refused write could have touched, to compare before and after (reads are logged: those rows are not writes). */
async function snapshot() {
	const [row] = await t.db.sequelize.query<Record<string, string>>(
		`SELECT (SELECT count(*) FROM reservations)::text AS reservations,
		        (SELECT string_agg(id || ':' || status || ':' || coalesce(checked_in_at::text, '-') || ':' || location_id, ',' ORDER BY id) FROM reservations) AS visits,
		        (SELECT string_agg(rs.reservation_id || '>' || rs.slot_id, ',' ORDER BY rs.reservation_id, rs.slot_id) FROM reservation_slots rs) AS links,
		        (SELECT string_agg(id || ':' || status, ',' ORDER BY id) FROM card_records) AS cards,
		        (SELECT string_agg(id || ':' || booked || ':' || checked_in, ',' ORDER BY id) FROM slots) AS slots,
		        (SELECT count(*) FROM card_status_history)::text AS history,
		        (SELECT count(*) FROM person_notes)::text AS notes,
		        (SELECT count(*) FROM outbox)::text AS outbox,
		        (SELECT count(*) FROM audit_log WHERE action NOT IN ('login', 'list.exported', 'cards.exported', 'cards.searched', 'reservations.searched'))::text AS audit`,
		{ type: QueryTypes.SELECT }
	);
	return row;
}

const emitAck = <T>(s: Socket, ev: string, p: unknown) => s.timeout(5000).emitWithAck(ev, p) as Promise<Ack<T>>;
function client(ns: string, auth: Record<string, string>) {
	const s = connect(url + ns, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
	sockets.push(s);
	return s;
}

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'location_scope');
	ctx = testContext(t.db, { now: NOW }).ctx;
	setAppContext(ctx);
	const a = await makeLocation(t.db, { nameJa: '本庁舎スコープ' });
	const b = await makeLocation(t.db, { nameJa: '北支所スコープ' });
	A = { id: a.id, nameJa: a.nameJa };
	B = { id: b.id, nameJa: b.nameJa };
	for (const loc of [A, B]) await makeSchedule(t.db, loc.id);
	await staff('clerkA', 'clerk', [A.id]);
	await staff('viewerA', 'viewer', [A.id]);
	await staff('clerkAll', 'clerk', []);
	await staff('supervisorA', 'supervisor', [A.id]);
	await staff('admin', 'admin', []);
	http = createServer();
	rt = createRealtime(http, ctx);
	await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
	url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
	for (const s of sockets) s.close();
	await rt?.close();
	await new Promise((r) => http?.close(r));
	setAppContext(undefined);
	await t?.drop();
});

describe('the session carries the served locations (R-S01)', () => {
	it('R-S01 R-O04 login and authenticate give the served locations (null = all); the Principal survives JSON as it is', async () => {
		expect(who.clerkA.locations).toEqual([A.id]);
		expect(who.viewerA.locations).toEqual([A.id]);
		expect(who.clerkAll.locations).toBeNull();
		expect(who.supervisorA.locations).toEqual([A.id]);
		expect(JSON.parse(JSON.stringify(who.clerkA))).toEqual(who.clerkA);
		const again = await login(ctx, { login: who.clerkA.login, password: 'pw-scope-test-1' });
		expect(again.principal.locations).toEqual([A.id]);
	});
});

describe('a clerk serving only A (R-S01, R-O04)', () => {
	it('R-S01 R-O04 slots: the API and the /staff/slots page refuse B and answer A; the page offers only A', async () => {
		await makeSlot(t.db, B.id, LATER, '11:00', 4);
		await makeSlot(t.db, A.id, LATER, '11:00', 4);
		expectRefused(await call(slotsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?locationId=${B.id}&date=${LATER}` }));
		const ok = await call(slotsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?locationId=${A.id}&date=${LATER}` });
		expect(ok.status).toBe(200);
		expect(ok.body.slots).toHaveLength(1);

		const layout = (await staffLayout.load({ locals: { principal: who.clerkA }, url: new URL('http://127.0.0.1/staff/slots') } as never)) as { locations: { id: number }[]; locationNames: { id: number }[] };
		expect(layout.locations.map((l) => l.id)).toEqual([A.id]);
		expect(layout.locationNames.map((l) => l.id)).toEqual(expect.arrayContaining([A.id, B.id]));
		const page = (u: string) => slotsPage.load({ url: new URL(u), locals: { principal: who.clerkA }, parent: async () => layout } as never);
		await expect(page(`http://127.0.0.1/staff/slots?locationId=${B.id}&date=${LATER}`)).rejects.toMatchObject({ status: 403, body: { message: expect.stringContaining(B.nameJa) } });
		const shown = (await page(`http://127.0.0.1/staff/slots?locationId=${A.id}&date=${LATER}`)) as { slots: unknown[] };
		expect(shown.slots).toHaveLength(1);
	});

	it('R-S01 R-O04 reservations: search, detail, move, cancel refused at B (nothing written) and working at A', async () => {
		const atA = await visitAt(A, LATER);
		const atB = await visitAt(B, LATER);
		const freeA = await makeSlot(t.db, A.id, LATER, '14:00', 5);
		const freeB = await makeSlot(t.db, B.id, LATER, '14:00', 5);
		const before = await snapshot();

		expectRefused(await call(reservationsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?locationId=${B.id}` }));
		// without a location, the day's list holds A's booking and not B's
		const day = await call(reservationsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?date=${LATER}&limit=100` });
		expect(day.status).toBe(200);
		const dayIds = day.body.items.map((r: { id: string }) => r.id);
		expect(dayIds).toContain(atA.reservationId);
		expect(dayIds).not.toContain(atB.reservationId);
		expect(day.body.items.every((r: { locationId: number }) => r.locationId === A.id)).toBe(true);
		expectRefused(await call(reservationRoute.GET as Handler, { as: who.clerkA, params: { id: atB.reservationId } }));
		expectRefused(await call(reservationRoute.PATCH as Handler, { as: who.clerkA, params: { id: atB.reservationId }, method: 'PATCH', body: { slotId: String(freeB.id) } }));
		// moving A's booking to B is refused too
		expectRefused(await call(reservationRoute.PATCH as Handler, { as: who.clerkA, params: { id: atA.reservationId }, method: 'PATCH', body: { slotId: String(freeB.id) } }));
		expectRefused(await call(reservationRoute.DELETE as Handler, { as: who.clerkA, params: { id: atB.reservationId }, method: 'DELETE' }));
		expect(await snapshot()).toEqual(before);

		const ofA = await call(reservationsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?locationId=${A.id}&date=${LATER}` });
		expect(ofA.body.items.map((r: { id: string }) => r.id)).toContain(atA.reservationId);
		expect((await call(reservationRoute.GET as Handler, { as: who.clerkA, params: { id: atA.reservationId } })).status).toBe(200);
		const moved = await call(reservationRoute.PATCH as Handler, { as: who.clerkA, params: { id: atA.reservationId }, method: 'PATCH', body: { slotId: String(freeA.id) } });
		expect(moved.status).toBe(200);
		expect(moved.body.slotIds).toEqual([String(freeA.id)]);
		const cancelled = await call(reservationRoute.DELETE as Handler, { as: who.clerkA, params: { id: atA.reservationId }, method: 'DELETE' });
		expect(cancelled.status).toBe(200);
		expect(cancelled.body.status).toBe('cancelled');
	});

	it('R-S01 R-O04 staff booking: a slot of B is refused with nothing written; a slot of A books', async () => {
		const slotB = await makeSlot(t.db, B.id, LATER, '15:00', 5);
		const slotA = await makeSlot(t.db, A.id, LATER, '15:00', 5);
		const card = await makeCard(t.db, { storageLocationId: A.id });
		const persons = [{ noticeId: card.noticeId, birthDate: card.birthDate }];
		const before = await snapshot();
		expectRefused(await call(reservationsRoute.POST as Handler, { as: who.clerkA, body: { slotId: String(slotB.id), persons } }));
		expect(await snapshot()).toEqual(before);
		const ok = await call(reservationsRoute.POST as Handler, { as: who.clerkA, body: { slotId: String(slotA.id), persons } });
		expect(ok.status).toBe(201);
		expect(ok.body.locationId).toBe(A.id);
	});

	it('R-S01 R-O04 R-S15 check-in by QR code and by id, issue, needs-redo and mail resend: B refused with a readable message, nothing written; A works', async () => {
		const atA = await visitAt(A);
		const atB = await visitAt(B);
		const before = await snapshot();
		const scan = await call(checkInRoute.POST as Handler, { as: who.clerkA, body: { code: atB.code } });
		expectRefused(scan);
		expect(scan.body.detail).toContain('受付できません');
		expectRefused(await call(checkInByIdRoute.POST as Handler, { as: who.clerkA, params: { id: atB.reservationId } }));
		const ids = { id: atB.reservationId, cardId: atB.cardIds[0] };
		expectRefused(await call(issueRoute.POST as Handler, { as: who.clerkA, params: ids, body: {} }));
		expectRefused(await call(redoRoute.POST as Handler, { as: who.clerkA, params: ids, body: { note: '書類不足' } }));
		expectRefused(await call(resendRoute.POST as Handler, { as: who.clerkA, params: { id: atB.reservationId } }));
		expect(await snapshot()).toEqual(before);
		// the counter page opened on B's booking shows why instead of the booking
		const counter = (await checkinPage.load({ url: new URL(`http://127.0.0.1/staff/checkin?r=${atB.reservationId}`), locals: { principal: who.clerkA } } as never)) as { reservation: unknown; openError: string | null };
		expect(counter.reservation).toBeNull();
		expect(counter.openError).toContain(B.nameJa);

		const ok = await call(checkInRoute.POST as Handler, { as: who.clerkA, body: { code: atA.code } });
		expect(ok.status).toBe(200);
		expect(ok.body.checkedIn).toBe(true);
		expect((await call(resendRoute.POST as Handler, { as: who.clerkA, params: { id: atA.reservationId } })).status).toBe(202);
		expect((await call(issueRoute.POST as Handler, { as: who.clerkA, params: { id: atA.reservationId, cardId: atA.cardIds[0] }, body: {} })).status).toBe(200);
	});

	it('R-S01 R-O04 R-S09 cards: search and export show only cards stored at A; asking for B is refused', async () => {
		const prefix = '77123';
		const cardA = await makeCard(t.db, { storageLocationId: A.id, noticeId: `${prefix}00001` });
		const cardB = await makeCard(t.db, { storageLocationId: B.id, noticeId: `${prefix}00002` });
		const list = await call(cardsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?q=${prefix}` });
		expect(list.status).toBe(200);
		expect(list.body).toMatchObject({ total: 1, items: [{ id: String(cardA.id), storageLocationId: A.id }] });
		expectRefused(await call(cardsRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?storageLocationId=${B.id}` }));
		const csv = await call(cardsExportRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?noticeId=${prefix}` });
		expect(csv.status).toBe(200);
		expect(csv.text).toContain(cardA.noticeId);
		expect(csv.text).not.toContain(cardB.noticeId);
		expectRefused(await call(cardsExportRoute.GET as Handler, { as: who.clerkA, url: `http://127.0.0.1/x?storageLocationId=${B.id}` }));
		// an unrestricted clerk sees both
		expect((await call(cardsRoute.GET as Handler, { as: who.clerkAll, url: `http://127.0.0.1/x?q=${prefix}` })).body.total).toBe(2);
	});

	it('R-S01 R-O04 R-S08 R-S14 card status changes, history and staff notes: a card of B refused (a mixed request changes nothing); A works', async () => {
		const cardA = await makeCard(t.db, { storageLocationId: A.id });
		const cardB = await makeCard(t.db, { storageLocationId: B.id });
		const before = await snapshot();
		expectRefused(await call(cardStatusRoute.POST as Handler, { as: who.clerkA, body: { cardIds: [String(cardA.id), String(cardB.id)], to: 'returned', note: null } }));
		expectRefused(await call(cardHistoryRoute.GET as Handler, { as: who.clerkA, params: { id: String(cardB.id) } }));
		expectRefused(await call(notesRoute.GET as Handler, { as: who.clerkA, params: { cardId: String(cardB.id) } }));
		expectRefused(await call(notesRoute.PUT as Handler, { as: who.clerkA, params: { cardId: String(cardB.id) }, method: 'PUT', body: { body: '本人確認書類を持参予定' } }));
		expect(await snapshot()).toEqual(before);

		const changed = await call(cardStatusRoute.POST as Handler, { as: who.clerkA, body: { cardIds: [String(cardA.id)], to: 'returned', note: null } });
		expect(changed.body).toMatchObject({ changed: 1 });
		expect((await call(cardHistoryRoute.GET as Handler, { as: who.clerkA, params: { id: String(cardA.id) } })).body.history).toHaveLength(1);
		expect((await call(notesRoute.PUT as Handler, { as: who.clerkA, params: { cardId: String(cardA.id) }, method: 'PUT', body: { body: 'メモ' } })).status).toBe(200);
		// a card stored at B but handed out at A is A's work too (its notes at the counter)
		const visit = await visitAt(A, LATER, B.id);
		expect((await call(notesRoute.GET as Handler, { as: who.clerkA, params: { cardId: visit.cardIds[0] } })).status).toBe(200);
	});

	it('R-S01 R-O04 R-S10 R-S11 lists: a list of B is refused; without a location only A rows; a transfer list of B shows the cards stored at A', async () => {
		const day = '2026-12-01';
		const atA = await visitAt(A, day);
		const atB = await visitAt(B, day);
		const toB = await visitAt(B, day, A.id); // stored at A, handed out at B
		const q = (kind: string, loc?: number) => ({ as: who.clerkA, params: { kind }, url: `http://127.0.0.1/x?from=${day}&format=csv${loc ? `&locationId=${loc}` : ''}` });
		expectRefused(await call(listsRoute.GET as Handler, q('reservations', B.id)));
		expectRefused(await call(listsRoute.GET as Handler, q('pull', B.id)));
		const all = await call(listsRoute.GET as Handler, q('reservations'));
		expect(all.status).toBe(200);
		expect(all.text).toContain(atA.bookingNumber);
		expect(all.text).not.toContain(atB.bookingNumber);
		expect(all.text).not.toContain(toB.bookingNumber);
		const transfer = await call(listsRoute.GET as Handler, q('transfer', B.id));
		expect(transfer.status).toBe(200);
		expect(transfer.text).toContain(toB.noticeId);
		const ofA = await call(listsRoute.GET as Handler, q('reservations', A.id));
		expect(ofA.text).toContain(atA.bookingNumber);
	});
});

describe('a viewer serving only A (R-S01)', () => {
	it('R-S01 R-O04 R-C09 the mail queue shows clerkA the mails of bookings at A only (no sign-in links); a clerk serving all sees every one', async () => {
		const atA = await visitAt(A);
		const atB = await visitAt(B);
		const linkId = randomUUID();
		await t.db.sequelize.query(`INSERT INTO citizen_links (id, email, expires_at) VALUES (:id, 'link-scope@example.jp', now() + interval '1 hour')`, { replacements: { id: linkId } });
		const far = new Date(Date.now() + 3_600_000).toISOString();
		const ids: Record<string, string> = {};
		for (const [name, topic, payload] of [
			['A', 'reservation.created', { reservationId: atA.reservationId }],
			['B', 'reservation.created', { reservationId: atB.reservationId }],
			['link', 'citizen.link', { linkId }]
		] as const) {
			const [[row]] = (await t.db.sequelize.query(`INSERT INTO outbox (topic, payload, next_attempt_at) VALUES (:topic, CAST(:payload AS jsonb), :far) RETURNING id`, {
				replacements: { topic, payload: JSON.stringify(payload), far }
			})) as [{ id: string }[], unknown];
			ids[name] = String(row.id);
		}
		const shown = async (p: Principal) => (await mailQueue(ctx, p)).pending.map((m) => m.id);
		const forA = await shown(who.clerkA);
		expect(forA).toContain(ids.A);
		expect(forA).not.toContain(ids.B);
		expect(forA).not.toContain(ids.link);
		expect(await shown(who.clerkAll)).toEqual(expect.arrayContaining([ids.A, ids.B, ids.link]));
		await t.db.sequelize.query(`UPDATE outbox SET published_at = now() WHERE id IN (:ids)`, { replacements: { ids: Object.values(ids) } });
	});

	it('R-S01 R-O04 R-S02 card import: clerkA may not import cards stored at B, nor move a card stored at B; each such row is named with its line and nothing is written; a file of A imports', async () => {
		const codeOf = async (id: number) => (await t.db.models.Location.findByPk(id))!.code;
		const [codeA, codeB] = [await codeOf(A.id), await codeOf(B.id)];
		const atB = await makeCard(t.db, { storageLocationId: B.id, noticeId: 'S0000000777', birthDate: '1970-03-04' });
		const header = '交付通知書番号,氏名,氏名カナ,生年月日,保管場所';
		const csv = (...rows: string[]) => new TextEncoder().encode([header, ...rows].join('\r\n') + '\r\n');
		async function* body(bytes: Uint8Array) {
			yield bytes;
		}
		const importAs = (p: Principal, bytes: Uint8Array) => importCards(ctx, p, { body: body(bytes), encoding: 'auto' });
		const count = async () => Number((await t.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM card_records`, { type: QueryTypes.SELECT }))[0].n);
		const before = await count();

		const refused = await importAs(who.clerkA, csv(`S-9001,見本 一郎,ミホン イチロウ,1981/01/01,${codeA}`, `S-9002,見本 二郎,ミホン ジロウ,1982/02/02,${codeB}`, `${atB.noticeId},見本 三郎,ミホン サブロウ,1970/03/04,${codeA}`)).then(
			() => null,
			(e: AppError) => e
		);
		expect(refused?.status).toBe(422);
		expect((refused?.extra as { errors: { line: number; column: string }[] }).errors.map((e) => [e.line, e.column])).toEqual([
			[3, '保管場所'],
			[4, '交付通知書番号']
		]);
		expect(await count()).toBe(before);
		expect((await t.db.models.CardRecord.findByPk(atB.id))!.storageLocationId).toBe(B.id);

		expect(await importAs(who.clerkA, csv(`S-9001,見本 一郎,ミホン イチロウ,1981/01/01,${codeA}`))).toMatchObject({ created: 1 });
		expect(await importAs(who.clerkAll, csv(`S-9002,見本 二郎,ミホン ジロウ,1982/02/02,${codeB}`))).toMatchObject({ created: 1 });
	});

	it('R-S01 R-O04 R-S16 reservation import: a row at B is refused for clerkA with its line and the 交付場所 column, nothing written', async () => {
		const codeB = (await t.db.models.Location.findByPk(B.id))!.code;
		const card = await makeCard(t.db, { storageLocationId: A.id, noticeId: 'S0000000888', birthDate: '1975-05-06' });
		await makeSlot(t.db, B.id, LATER, '14:15', 4);
		const bytes = new TextEncoder().encode(['予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻,用件,メールアドレス', `R1,${card.noticeId},1975/05/06,${codeB},${LATER},14:15,,`].join('\r\n') + '\r\n');
		async function* body() {
			yield bytes;
		}
		const reservationsBefore = Number((await t.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM reservations`, { type: QueryTypes.SELECT }))[0].n);
		const e = await importReservations(ctx, who.clerkA, { body: body(), encoding: 'auto' }).then(
			() => null,
			(err: AppError) => err
		);
		expect(e?.status).toBe(422);
		expect((e?.extra as { errors: { line: number; column: string }[] }).errors.map((x) => [x.line, x.column])).toContainEqual([2, '交付場所']);
		expect(Number((await t.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM reservations`, { type: QueryTypes.SELECT }))[0].n)).toBe(reservationsBefore);
	});

	it('R-S01 R-O04 reads of B are refused, reads of A answered', async () => {
		const atA = await visitAt(A, LATER);
		const atB = await visitAt(B, LATER);
		expectRefused(await call(slotsRoute.GET as Handler, { as: who.viewerA, url: `http://127.0.0.1/x?locationId=${B.id}&date=${LATER}` }));
		expectRefused(await call(reservationRoute.GET as Handler, { as: who.viewerA, params: { id: atB.reservationId } }));
		expectRefused(await call(cardHistoryRoute.GET as Handler, { as: who.viewerA, params: { id: atB.cardIds[0] } }));
		expectRefused(await call(notesRoute.GET as Handler, { as: who.viewerA, params: { cardId: atB.cardIds[0] } }));
		expectRefused(await call(reservationsRoute.GET as Handler, { as: who.viewerA, url: `http://127.0.0.1/x?locationId=${B.id}` }));
		expect((await call(slotsRoute.GET as Handler, { as: who.viewerA, url: `http://127.0.0.1/x?locationId=${A.id}&date=${LATER}` })).status).toBe(200);
		expect((await call(reservationRoute.GET as Handler, { as: who.viewerA, params: { id: atA.reservationId } })).status).toBe(200);
		expect((await call(cardHistoryRoute.GET as Handler, { as: who.viewerA, params: { id: atA.cardIds[0] } })).status).toBe(200);
		const cards = await call(cardsRoute.GET as Handler, { as: who.viewerA, url: `http://127.0.0.1/x?limit=500` });
		expect(cards.body.items.length).toBeGreaterThan(0);
		expect(cards.body.items.every((c: { storageLocationId: number }) => c.storageLocationId === A.id)).toBe(true);
	});
});

describe('who is not limited (R-S01)', () => {
	it('R-S01 admin and supervisor serve every location (even with a list); a clerk with no served locations listed serves all', async () => {
		const atB = await visitAt(B, LATER);
		for (const p of [who.admin, who.supervisorA, who.clerkAll]) {
			expect((await call(slotsRoute.GET as Handler, { as: p, url: `http://127.0.0.1/x?locationId=${B.id}&date=${LATER}` })).status).toBe(200);
			expect((await call(reservationRoute.GET as Handler, { as: p, params: { id: atB.reservationId } })).status).toBe(200);
			expect((await call(cardHistoryRoute.GET as Handler, { as: p, params: { id: atB.cardIds[0] } })).status).toBe(200);
			expect((await call(listsRoute.GET as Handler, { as: p, params: { kind: 'reservations' }, url: `http://127.0.0.1/x?from=${LATER}&format=csv&locationId=${B.id}` })).text).toContain(atB.bookingNumber);
		}
		const free = await makeSlot(t.db, B.id, LATER, '16:00', 5);
		const moved = await call(reservationRoute.PATCH as Handler, { as: who.clerkAll, params: { id: atB.reservationId }, method: 'PATCH', body: { slotId: String(free.id) } });
		expect(moved.status).toBe(200);
	});
});

describe('live screens (R-S01, R-O04)', () => {
	it('R-S01 R-O04 /staff subscribe to a location not served is refused with a forbidden ack and joins no room; a served one answers', async () => {
		const s = client('/staff', { token: tokens.clerkA });
		const refused = await emitAck(s, 'subscribe', { locationId: B.id, date: LATER });
		expect(refused).toEqual({ error: { code: 'forbidden', message: expect.stringContaining(B.nameJa) } });
		const ok = await emitAck<{ locationId: number }>(s, 'subscribe', { locationId: A.id, date: LATER });
		expect(ok).toMatchObject({ data: { locationId: A.id } });
		const all = client('/staff', { token: tokens.clerkAll });
		expect(await emitAck(all, 'subscribe', { locationId: B.id, date: LATER })).toHaveProperty('data');
	});

	it('R-S01 R-O04 an admin takes B from a clerk who is watching B live: the socket leaves B’s room at once, gets no more of B’s pushes, and cannot subscribe there again; A goes on', async () => {
		ctx.events = rt.publisher;
		await staff('clerkAB', 'clerk', [A.id, B.id]);
		const slotB = await makeSlot(t.db, B.id, LATER, '16:30', 4);
		const slotA = await makeSlot(t.db, A.id, LATER, '16:30', 4);
		const s = client('/staff', { token: tokens.clerkAB });
		expect(await emitAck(s, 'subscribe', { locationId: B.id, date: LATER })).toHaveProperty('data');
		const roomB = `staff:${B.id}:${LATER}`;
		const inRoom = () => rt.io.of('/staff').adapter.rooms.get(roomB)?.has(s.id!) ?? false;
		expect(inRoom()).toBe(true);
		const pushes: SlotsPush[] = [];
		s.on('slots', (p: SlotsPush) => pushes.push(p));

		// a screen that still serves B, in the same room: when it has B's push, the room's push has gone out
		const control = client('/staff', { token: tokens.clerkAll });
		expect(await emitAck(control, 'subscribe', { locationId: B.id, date: LATER })).toHaveProperty('data');
		const controlPushes: SlotsPush[] = [];
		control.on('slots', (p: SlotsPush) => controlPushes.push(p));

		await updateUser(ctx, who.admin, who.clerkAB.userId, { locationIds: [A.id] });
		await expect.poll(inRoom, { timeout: 2000 }).toBe(false);
		await setSlotCapacity(ctx, who.admin, { slotId: String(slotB.id), capacity: 5, reason: 'テスト' });
		await expect.poll(() => controlPushes.some((p) => p.locationId === B.id && p.slots.some((x) => x.id === String(slotB.id) && x.capacity === 5)), { timeout: 10_000 }).toBe(true);
		// a round trip on the clerk's socket: whatever the room sent it came before this answer
		expect(await emitAck(s, 'subscribe', { locationId: B.id, date: LATER })).toMatchObject({ error: { code: 'forbidden' } });
		expect(pushes.filter((p) => p.locationId === B.id)).toEqual([]);

		expect(await emitAck(s, 'subscribe', { locationId: A.id, date: LATER })).toHaveProperty('data');
		await setSlotCapacity(ctx, who.admin, { slotId: String(slotA.id), capacity: 5, reason: 'テスト' });
		await expect.poll(() => pushes.some((p) => p.locationId === A.id), { timeout: 2000 }).toBe(true);
	});

	it('R-S01 R-O04 a board opened with a staff login: B refused (page and socket), A shown', async () => {
		const board = client('/board', { token: tokens.viewerA });
		expect(await emitAck(board, 'subscribe', { locationId: B.id })).toMatchObject({ error: { code: 'forbidden' } });
		expect(await emitAck(board, 'subscribe', { locationId: A.id })).toHaveProperty('data');
		const open = (loc: number, p: Principal) =>
			boardPage.load({ params: { location: String(loc) }, url: new URL(`http://127.0.0.1/board/${loc}`), cookies: { get: () => undefined, set: () => {} }, locals: { principal: p } } as never);
		await expect(open(B.id, who.viewerA)).rejects.toMatchObject({ status: 403 });
		expect(await open(A.id, who.viewerA)).toMatchObject({ location: { id: A.id } });
		expect(await open(B.id, who.admin)).toMatchObject({ location: { id: B.id } });
	});
});
