/**
 * R-S14: a person's staff note is shown and edited on the card page and the booking page too
 * (the same use case as the counter), on any day. R-O03: opening one person's booking (booking
 * page and API, counter page, a repeated check-in scan) writes an audit row with who and which.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { personNotes } from '../../src/lib/server/notes/notes.ts';
import { checkIn, checkInByCode } from '../../src/lib/server/checkin/checkin.ts';
import * as cardPage from '../../src/routes/staff/(app)/cards/[id]/+page.server.ts';
import * as bookingPage from '../../src/routes/staff/(app)/reservations/[id]/+page.server.ts';
import * as counterPage from '../../src/routes/staff/(app)/checkin/+page.server.ts';
import * as bookingRoute from '../../src/routes/api/v1/staff/reservations/[id]/+server.ts';

let t: TestDatabase;
let ctx: AppContext;
let clerk: Principal;
let viewer: Principal;
let loc: number;
let n = 0;
// a visit a week after "now": not the day of the visit, so the counter would not take it
const NOW = new Date('2026-12-14T10:00:00+09:00');
const LATER = '2026-12-21';

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'clerk_notes');
	ctx = testContext(t.db, { now: NOW }).ctx;
	setAppContext(ctx);
	loc = (await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' })).id;
	const c = await makeStaff(t.db, 'clerk');
	clerk = { userId: c.id, login: c.login, displayName: c.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
	const v = await makeStaff(t.db, 'viewer');
	viewer = { userId: v.id, login: v.login, displayName: v.displayName, role: 'viewer', locationId: null, sessionId: 'test' };
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

async function booking(date = LATER) {
	const slot = await makeSlot(t.db, loc, date, `${String(9 + (n++ % 8)).padStart(2, '0')}:${n % 2 ? '00' : '30'}`, 10);
	return makeReservation(t.db, slot, 1);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function event(principal: Principal | null, params: Record<string, string>, form?: Record<string, string>, search = ''): any {
	const url = new URL(`http://127.0.0.1/staff/x${search}`);
	const body = form ? new URLSearchParams(form) : undefined;
	const request = new Request(url, { method: form ? 'POST' : 'GET', body, headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {} });
	return { request, url, params, locals: { principal, lang: 'ja' }, getClientAddress: () => '127.0.0.1', cookies: { get: () => undefined, set: () => {}, delete: () => {} } };
}

const viewed = (id: string) =>
	t.db.sequelize.query<{ actor_id: string; action: string; detail: Record<string, unknown> }>(
		`SELECT actor_id, action, detail FROM audit_log WHERE target_id = :id AND action IN ('reservation.viewed', 'card.viewed') ORDER BY id`,
		{ replacements: { id }, type: QueryTypes.SELECT }
	);

describe('R-S14 notes on the card page and the booking page', () => {
	it('R-S14 the card page shows the note and saves an edit through the notes use case (audited), days before the visit', async () => {
		const { cardIds } = await booking();
		const id = cardIds[0];
		const saved = await cardPage.actions.note(event(clerk, { id }, { body: '本人確認書類を要確認' }));
		expect(saved).toMatchObject({ form: 'note', done: 'メモを保存しました。' });
		expect((await personNotes(ctx, clerk, id)).current).toMatchObject({ body: '本人確認書類を要確認', author: clerk.login });
		const page = (await cardPage.load(event(clerk, { id }))) as { notes: { current: { body: string } | null } };
		expect(page.notes.current?.body).toBe('本人確認書類を要確認');
		const audits = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'person_note.saved' AND target_id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
		expect(audits[0].n).toBe(1);
		// too long: refused with a readable message, nothing written
		const long = await cardPage.actions.note(event(clerk, { id }, { body: 'あ'.repeat(1001) }));
		expect(long).toMatchObject({ status: 400, data: { form: 'note', message: expect.stringContaining('1000文字') } });
		expect((await personNotes(ctx, clerk, id)).history).toHaveLength(1);
	});

	it('R-S14 the booking page shows each person\'s note and saves an edit; a viewer may read but not write', async () => {
		const { reservationId, cardIds } = await booking();
		const r1 = await bookingPage.actions.note(event(clerk, { id: reservationId }, { cardId: cardIds[0], body: '車椅子で来庁予定' }));
		expect(r1).toMatchObject({ action: 'note', cardId: cardIds[0], noteSaved: true });
		const page = (await bookingPage.load(event(clerk, { id: reservationId }))) as { canNote: boolean; reservation: { persons: { note: { body: string } | null }[] } };
		expect(page.canNote).toBe(true);
		expect(page.reservation.persons[0].note?.body).toBe('車椅子で来庁予定');
		const asViewer = (await bookingPage.load(event(viewer, { id: reservationId }))) as { canNote: boolean };
		expect(asViewer.canNote).toBe(false);
		const refused = await bookingPage.actions.note(event(viewer, { id: reservationId }, { cardId: cardIds[0], body: 'x' }));
		expect(refused).toMatchObject({ status: 403 });
		expect((await personNotes(ctx, clerk, cardIds[0])).current?.body).toBe('車椅子で来庁予定');
	});
});

describe('R-O03 views of one person\'s record are logged', () => {
	it('R-O03 booking page, booking API, counter page and a repeated check-in scan each write reservation.viewed (no personal data)', async () => {
		const { reservationId } = await booking();
		await bookingPage.load(event(viewer, { id: reservationId }));
		const api = await bookingRoute.GET(event(viewer, { id: reservationId }));
		expect(api.status).toBe(200);
		await counterPage.load(event(clerk, {}, undefined, `?r=${reservationId}`));
		const rows = await viewed(reservationId);
		expect(rows.map((r) => [r.actor_id, r.detail.via])).toEqual([
			[viewer.login, 'detail'],
			[viewer.login, 'api'],
			[clerk.login, 'counter']
		]);
		for (const r of rows) expect(JSON.stringify(r.detail)).not.toMatch(/テスト|@|19\d\d/);
	});

	it('R-O03 a check-in scan of a booking already checked in logs a view; the first scan is the audited check-in itself', async () => {
		const today = '2026-12-14';
		const { reservationId } = await booking(today);
		await checkIn(ctx, clerk, { reservationId });
		const [{ checkin_code }] = await t.db.sequelize.query<{ checkin_code: string }>(`SELECT checkin_code FROM reservations WHERE id = :id`, { replacements: { id: reservationId }, type: QueryTypes.SELECT });
		expect(checkin_code).toBeTruthy();
		const again = await checkInByCode(ctx, clerk, { code: checkin_code });
		expect(again.alreadyCheckedIn).toBe(true);
		expect((await viewed(reservationId)).map((r) => r.detail.via)).toEqual(['check-in']);
	});
});
