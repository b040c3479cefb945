/**
 * The counter endpoints through their SvelteKit handlers (thin routes: zod → use case →
 * problem+json), against a real database: every endpoint refused without a session and for a
 * weaker role, bad input a clear 4xx, and staff notes never in anything a citizen receives (R-S14).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeReservation, makeSchedule, makeSlot, makeStaff, purposeId, typed } from '../harness/factories.ts';
import type { CitizenPrincipal } from '../../src/lib/server/citizen/session.ts';
import { viewManaged } from '../../src/lib/server/citizen/manage.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import * as checkInRoute from '../../src/routes/api/v1/staff/check-in/+server.ts';
import * as reservationsRoute from '../../src/routes/api/v1/staff/reservations/+server.ts';
import * as redoRoute from '../../src/routes/api/v1/staff/reservations/[id]/cards/[cardId]/needs-redo/+server.ts';
import * as undoRoute from '../../src/routes/api/v1/staff/reservations/[id]/cards/[cardId]/undo-issue/+server.ts';
import * as notesRoute from '../../src/routes/api/v1/staff/persons/[cardId]/notes/+server.ts';
import * as locationsRoute from '../../src/routes/api/v1/locations/+server.ts';
import * as availabilityRoute from '../../src/routes/api/v1/locations/[id]/availability/+server.ts';
import * as purposesRoute from '../../src/routes/api/v1/locations/[id]/purposes/+server.ts';
import * as holdsRoute from '../../src/routes/api/v1/holds/+server.ts';
import * as confirmRoute from '../../src/routes/api/v1/holds/[id]/confirm/+server.ts';
import { reservationView } from '../../src/lib/server/booking/view.ts';
import { viewHold } from '../../src/lib/server/citizen/hold-view.ts';

const NOW = new Date('2026-11-25T01:05:00Z'); // 10:05 in Tokyo
const TODAY = '2026-11-25';

let t: TestDatabase;
let ctx: AppContext;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'counter_http');
	ctx = testContext(t.db, { now: NOW }).ctx;
	setAppContext(ctx);
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

type Handler = (event: never) => Promise<Response> | Response;
/** Calls a route handler as SvelteKit would, with the principal the hooks would have set. */
async function call(handler: Handler, opts: { principal?: Principal | null; citizen?: CitizenPrincipal | null; params?: Record<string, string>; url?: string; method?: string; body?: unknown; raw?: string }) {
	const url = new URL(opts.url ?? 'http://127.0.0.1/x');
	const hasBody = opts.body !== undefined || opts.raw !== undefined;
	const request = new Request(url, {
		method: opts.method ?? (hasBody ? 'POST' : 'GET'),
		headers: hasBody ? { 'content-type': 'application/json' } : {},
		body: hasBody ? (opts.raw ?? JSON.stringify(opts.body)) : undefined
	});
	const event = { request, url, params: opts.params ?? {}, locals: { principal: opts.principal ?? null, citizen: opts.citizen ?? null, lang: 'ja' }, getClientAddress: () => '127.0.0.1', cookies: { get: () => undefined, set: () => {} } };
	const res = await handler(event as never);
	const text = await res.text();
	return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: text ? JSON.parse(text) : null };
}

async function todayVisit() {
	const loc = await makeLocation(t.db);
	const slot = await makeSlot(t.db, loc.id, TODAY, '10:00', 5);
	const r = await makeReservation(t.db, slot, 1);
	const [{ checkin_code: code }] = await t.db.sequelize.query<{ checkin_code: string }>(`SELECT checkin_code FROM reservations WHERE id = :id`, { replacements: { id: r.reservationId }, type: QueryTypes.SELECT });
	return { loc, slot, code, ...r };
}

describe('counter endpoints: access and bad input (R-S01, R-O04)', () => {
	it('R-S01 R-S15 R-S14 every counter endpoint is 401 without a session and 403 for a weaker role, as problem+json; nothing changes', async () => {
		const v = await todayVisit();
		const viewer = await principal('viewer');
		const ids = { id: v.reservationId, cardId: v.cardIds[0] };
		const cases: { name: string; handler: Handler; params?: Record<string, string>; body?: unknown; method?: string; url?: string; weaker: Principal | null }[] = [
			{ name: 'POST check-in', handler: checkInRoute.POST as Handler, body: { code: v.code }, weaker: viewer },
			{ name: 'POST needs-redo', handler: redoRoute.POST as Handler, params: ids, body: { note: 'x' }, weaker: viewer },
			{ name: 'POST undo-issue', handler: undoRoute.POST as Handler, params: ids, method: 'POST', weaker: viewer },
			{ name: 'PUT notes', handler: notesRoute.PUT as Handler, params: { cardId: v.cardIds[0] }, body: { body: 'x' }, method: 'PUT', weaker: viewer },
			{ name: 'GET notes', handler: notesRoute.GET as Handler, params: { cardId: v.cardIds[0] }, weaker: null },
			{ name: 'GET reservations', handler: reservationsRoute.GET as Handler, url: 'http://127.0.0.1/api/v1/staff/reservations?q=x', weaker: null }
		];
		for (const c of cases) {
			const none = await call(c.handler, { ...c, principal: null });
			expect(none.status, c.name).toBe(401);
			expect(none.type, c.name).toContain('application/problem+json');
			if (c.weaker) expect((await call(c.handler, { ...c, principal: c.weaker })).status, c.name).toBe(403);
		}
		expect((await t.db.models.CardRecord.findByPk(v.cardIds[0]))!.status).toBe('reserved');
		expect(await t.db.sequelize.query(`SELECT 1 FROM person_notes`, { type: QueryTypes.SELECT })).toEqual([]);
	});

	it('R-S15 R-O04 a clerk checks in by code over HTTP; malformed JSON, unknown fields, a wrong code and a bad id are 4xx problem+json naming the field', async () => {
		const v = await todayVisit();
		const clerk = await principal('clerk');
		const ok = await call(checkInRoute.POST as Handler, { principal: clerk, body: { code: v.code } });
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ checkedIn: true, reservation: { id: v.reservationId, persons: [{ cardId: v.cardIds[0], status: 'checked_in' }] } });
		const cases: [Parameters<typeof call>[1], number, string][] = [
			[{ raw: '{"code": "MN' }, 400, '(body)'],
			[{ body: { code: v.code, extra: 1 } }, 400, 'extra'],
			[{ body: { code: 12 } }, 400, 'code'],
			[{ body: { code: 'hello' } }, 400, 'code']
		];
		for (const [o, status, field] of cases) {
			const r = await call(checkInRoute.POST as Handler, { ...o, principal: clerk });
			expect(r.status, r.text).toBe(status);
			expect(r.type).toContain('application/problem+json');
			expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
		}
		expect((await call(checkInRoute.POST as Handler, { principal: clerk, body: { code: 'MN' + 'F'.repeat(32) } })).status).toBe(404);
		const badId = await call(redoRoute.POST as Handler, { principal: clerk, params: { id: 'abc', cardId: v.cardIds[0] }, body: { note: 'x' } });
		expect(badId.status).toBe(400);
		const noNote = await call(redoRoute.POST as Handler, { principal: clerk, params: { id: v.reservationId, cardId: v.cardIds[0] }, body: { note: ' ' } });
		expect([noNote.status, noNote.body.errors[0].field]).toEqual([400, 'note']);
		const redo = await call(redoRoute.POST as Handler, { principal: clerk, params: { id: v.reservationId, cardId: v.cardIds[0] }, body: { note: '写真不鮮明' } });
		expect(redo).toMatchObject({ status: 200, body: { status: 'needs_redo' } });
		const undo = await call(undoRoute.POST as Handler, { principal: clerk, params: { id: v.reservationId, cardId: v.cardIds[0] }, method: 'POST' });
		expect(undo.status).toBe(409);
		const search = await call(reservationsRoute.GET as Handler, { principal: clerk, url: `http://127.0.0.1/x?q=${v.code}&limit=999` });
		expect([search.status, search.body.errors[0].field]).toEqual([400, 'limit']);
		const notes = await call(notesRoute.PUT as Handler, { principal: clerk, params: { cardId: v.cardIds[0] }, method: 'PUT', body: { body: 'あ'.repeat(1001) } });
		expect([notes.status, notes.body.errors[0].field]).toEqual([400, 'body']);
	});
});

describe('staff notes never reach citizens (R-S14)', () => {
	it('R-S14 a note on a person is in no citizen-facing response: locations, availability, purposes, holds, confirmation, the hold view, the reservation view or the outbox', async () => {
		const NOTE = '要注意メモ・窓口限り-7f3a';
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 4);
		const card = await makeCard(t.db);
		const clerk = await principal('clerk');
		expect((await call(notesRoute.PUT as Handler, { principal: clerk, params: { cardId: String(card.id) }, method: 'PUT', body: { body: NOTE } })).status).toBe(200);

		const seen: string[] = [];
		const citizen = async (r: Promise<{ status: number; text: string; body: unknown }>) => {
			const res = await r;
			seen.push(res.text);
			return res;
		};
		await citizen(call(locationsRoute.GET as Handler, {}));
		await citizen(call(availabilityRoute.GET as Handler, { params: { id: String(loc.id) }, url: 'http://127.0.0.1/x?from=2026-12-01&to=2026-12-01' }));
		await citizen(call(purposesRoute.GET as Handler, { params: { id: String(loc.id) } }));
		const me = await citizenSession(ctx, 'citizen@example.jp');
		const hold = await citizen(call(holdsRoute.POST as Handler, { citizen: me, body: { slotId: String(slot.id), purposeId: await purposeId(t.db), persons: [typed(card)] } }));
		expect(hold.status, hold.text).toBe(201);
		const h = hold.body as { holdId: string };
		seen.push(JSON.stringify(await viewHold(ctx, me, h.holdId)));
		const confirmed = await citizen(call(confirmRoute.POST as Handler, { citizen: me, params: { id: h.holdId }, body: { acknowledgedPrecautions: true } }));
		expect(confirmed.status, confirmed.text).toBe(201);
		const reservationId = (confirmed.body as { reservationId: string }).reservationId;
		seen.push(JSON.stringify(await reservationView(t.db, reservationId)));
		// the manage link's answer and the page data a citizen sees (R-C10)
		const manageToken = (confirmed.body as { manageUrl: string }).manageUrl.split('/manage/')[1];
		seen.push(JSON.stringify(await viewManaged(ctx, manageToken)));
		const outbox = await t.db.sequelize.query<{ payload: unknown }>(`SELECT payload FROM outbox`, { type: QueryTypes.SELECT });
		seen.push(JSON.stringify(outbox));

		// the note is really there for staff, and the booking really happened …
		const staffView = await call(notesRoute.GET as Handler, { principal: clerk, params: { cardId: String(card.id) } });
		expect(staffView.body.current.body).toBe(NOTE);
		expect(seen.join('\n')).toContain((confirmed.body as { reservationNumber: string }).reservationNumber);
		// … and no citizen-facing answer carries it, nor any part of it
		for (const s of seen) {
			expect(s).not.toContain(NOTE);
			expect(s).not.toContain('7f3a');
		}
	});
});
