import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import { io as connect, type Socket } from 'socket.io-client';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { createRealtime, type Realtime } from '../../server/realtime/hub.ts';
import { boardCounters } from '../../src/lib/server/board/counters.ts';
import { boardTokenLocation, issueBoardToken, revokeBoardToken } from '../../src/lib/server/board/tokens.ts';
import { checkIn } from '../../src/lib/server/checkin/checkin.ts';
import { markIssued } from '../../src/lib/server/checkin/cards.ts';
import { login, type Principal } from '../../src/lib/server/auth/session.ts';
import type { AppContext } from '../../src/lib/server/context.ts';
import type { Ack, BoardCounters, CardStatusPush } from '../../src/lib/realtime/events.ts';

// 2026-11-25 10:05 in Tokyo: the 10:00 slot is running, 10:30 and 11:00 are ahead, 09:00 is over.
const NOW = new Date('2026-11-25T01:05:00Z');
const TODAY = '2026-11-25';

let t: TestDatabase;
let ctx: AppContext;
let http: HttpServer;
let rt: Realtime;
let url: string;
let admin: Principal;
let clerk: Principal;
let clerkToken: string;
const sockets: Socket[] = [];

beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'board');
	ctx = testContext(t.db, { now: NOW, config: { REALTIME_COALESCE_MS: '10' } }).ctx;
	http = createServer();
	rt = createRealtime(http, ctx, { release: 'r1' });
	ctx.events = rt.publisher;
	await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
	await makeStaff(t.db, 'admin', 'pw-board-admin', 'boardadmin');
	await makeStaff(t.db, 'clerk', 'pw-board-clerk', 'boardclerk');
	admin = (await login(ctx, { login: 'boardadmin', password: 'pw-board-admin' })).principal;
	const c = await login(ctx, { login: 'boardclerk', password: 'pw-board-clerk' });
	clerk = c.principal;
	clerkToken = c.token;
});

afterAll(async () => {
	for (const s of sockets) s.close();
	await rt?.close();
	await t?.drop();
});

function client(ns: string, auth?: Record<string, string>) {
	const s = connect(url + ns, { transports: ['websocket'], ...(auth ? { auth } : {}) });
	sockets.push(s);
	return s;
}
const emitAck = <T>(s: Socket, ev: string, p: unknown) => s.timeout(5000).emitWithAck(ev, p) as Promise<Ack<T>>;
function next<T>(s: Socket, ev: string, pred: (p: T) => boolean = () => true): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${ev}`)), 5000);
		const on = (p: T) => {
			if (!pred(p)) return;
			clearTimeout(timer);
			s.off(ev, on);
			resolve(p);
		};
		s.on(ev, on);
	});
}

async function slot(locationId: number, hhmm: string, capacity: number) {
	const s = await makeSlot(t.db, locationId, TODAY, hhmm, capacity);
	return { id: String(s.id), locationId, date: TODAY, startsAt: s.startsAt, endsAt: s.endsAt };
}

describe('wall board', () => {
	it('R-L02 counters: booked, checked in, issued, waiting, remaining now and for the rest of the day', async () => {
		const loc = await makeLocation(t.db);
		const past = await slot(loc.id, '09:00', 4);
		const running = await slot(loc.id, '10:00', 4);
		const later = await slot(loc.id, '10:30', 3);
		await makeReservation(t.db, past, 1);
		const family = await makeReservation(t.db, running, 2);
		await makeReservation(t.db, later, 1);

		let c = await boardCounters(ctx, loc.id);
		// R-L02: the 09:00 visit (ended 09:30) is past its 15 late-arrival minutes at 10:05: not arrived
		expect(c).toMatchObject({ date: TODAY, booked: 4, checkedIn: 0, issued: 0, waiting: 0, noShow: 1, remainingNow: 2, remainingToday: 4 });
		expect(c.hours.map((h) => h.start)).toEqual(['10:00']);

		await checkIn(ctx, clerk, { reservationId: family.reservationId });
		c = await boardCounters(ctx, loc.id);
		expect(c).toMatchObject({ checkedIn: 2, waiting: 2, issued: 0 });
		const v1 = BigInt(c.version);

		await markIssued(ctx, clerk, { reservationId: family.reservationId, cardId: family.cardIds[0] });
		c = await boardCounters(ctx, loc.id);
		expect(c).toMatchObject({ checkedIn: 2, waiting: 1, issued: 1 });
		expect(BigInt(c.version)).toBeGreaterThan(v1);
		await markIssued(ctx, clerk, { reservationId: family.reservationId, cardId: family.cardIds[1] });
		const [[r]] = (await t.db.sequelize.query(`SELECT status FROM reservations WHERE id = ${family.reservationId}`)) as [{ status: string }[], unknown];
		expect(r.status).toBe('completed');
		expect((await boardCounters(ctx, loc.id)).issued).toBe(2);
	});

	it('R-S15 R-S08 check-in is once, on the day, and every card change is kept in the history', async () => {
		const loc = await makeLocation(t.db);
		const s = await slot(loc.id, '11:00', 2);
		const res = await makeReservation(t.db, s, 1);
		await expect(markIssued(ctx, clerk, { reservationId: res.reservationId, cardId: res.cardIds[0] })).rejects.toMatchObject({ status: 409 });
		await checkIn(ctx, clerk, { reservationId: res.reservationId });
		await expect(checkIn(ctx, clerk, { reservationId: res.reservationId })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('すでに') });
		const tomorrow = await makeSlot(t.db, loc.id, '2026-11-26', '09:00', 2);
		const early = await makeReservation(t.db, { id: String(tomorrow.id), locationId: loc.id, date: '2026-11-26', startsAt: tomorrow.startsAt, endsAt: tomorrow.endsAt });
		await expect(checkIn(ctx, clerk, { reservationId: early.reservationId })).rejects.toMatchObject({ status: 409, message: expect.stringContaining('予約日当日のみ') });
		await expect(checkIn(ctx, null, { reservationId: res.reservationId })).rejects.toMatchObject({ status: 401 });
		const [history] = (await t.db.sequelize.query(`SELECT from_status, to_status, actor_id FROM card_status_history WHERE card_record_id = ${res.cardIds[0]} ORDER BY id`)) as [
			{ from_status: string; to_status: string; actor_id: string }[],
			unknown
		];
		expect(history).toEqual([{ from_status: 'reserved', to_status: 'checked_in', actor_id: 'boardclerk' }]);
	});

	it('R-L02 R-L03 a check-in pushes counters to the board and the card change to staff screens', async () => {
		const loc = await makeLocation(t.db);
		const s = await slot(loc.id, '10:00', 5);
		const res = await makeReservation(t.db, s, 1);
		const staff = client('/staff', { token: clerkToken });
		await emitAck(staff, 'subscribe', { locationId: loc.id, date: TODAY });
		const board = client('/board', { token: clerkToken });
		const hello = new Promise<{ release: string }>((r) => board.once('hello', r));
		const first = await emitAck<BoardCounters>(board, 'subscribe', { locationId: loc.id });
		expect((await hello).release).toBe('r1');
		expect('data' in first && first.data.checkedIn).toBe(0);
		const counters = next<BoardCounters>(board, 'counters', (p) => p.checkedIn === 1);
		const cardStatus = next<CardStatusPush>(staff, 'card-status');
		await checkIn(ctx, clerk, { reservationId: res.reservationId });
		expect((await counters).waiting).toBe(1);
		expect(await cardStatus).toEqual({ locationId: loc.id, date: TODAY, changes: [{ cardId: res.cardIds[0], from: 'reserved', to: 'checked_in' }] });
	});

	it('R-L02 R-O05 a board token opens its own location only, and stops working when revoked', async () => {
		const x = await makeLocation(t.db);
		const y = await makeLocation(t.db);
		const issued = await issueBoardToken(ctx, admin, { locationId: x.id, label: '待合' });
		expect(await boardTokenLocation(ctx, issued.token)).toBe(x.id);
		const [[row]] = (await t.db.sequelize.query(`SELECT token_hash FROM board_tokens WHERE id = ${issued.id}`)) as [{ token_hash: string }[], unknown];
		expect(row.token_hash).not.toContain(issued.token);

		const board = client('/board', { boardToken: issued.token });
		expect(await emitAck(board, 'subscribe', { locationId: y.id })).toMatchObject({ error: { code: 'forbidden' } });
		expect(await emitAck(board, 'subscribe', { locationId: x.id })).toHaveProperty('data.locationId', x.id);

		// revocation cuts the open board at once (R-O04), rather than waiting for its next subscribe
		const cut = new Promise<string>((r) => board.once('disconnect', r));
		await revokeBoardToken(ctx, admin, { id: issued.id });
		expect(await cut).toBe('io server disconnect');
		const again = client('/board', { boardToken: issued.token });
		expect((await new Promise<Error>((r) => again.once('connect_error', r))).message).toBe('unauthenticated');
		await expect(issueBoardToken(ctx, clerk, { locationId: x.id, label: 'x' })).rejects.toMatchObject({ status: 403 });
	});
});
