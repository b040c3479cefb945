/**
 * The card endpoints as HTTP handlers (the +server.ts modules, called with a Request like kit
 * does): who may call each (no staff session → 401, wrong role → 403), problem+json for bad
 * input, and the contract shapes of DESIGN "Staff operations contract".
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import iconv from 'iconv-lite';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import * as importRoute from '../../src/routes/api/v1/staff/imports/cards/+server.ts';
import * as sampleRoute from '../../src/routes/api/v1/staff/imports/cards/sample.csv/+server.ts';
import * as cardsRoute from '../../src/routes/api/v1/staff/cards/+server.ts';
import * as statusRoute from '../../src/routes/api/v1/staff/cards/status/+server.ts';
import * as historyRoute from '../../src/routes/api/v1/staff/cards/[id]/history/+server.ts';
import * as exportRoute from '../../src/routes/api/v1/staff/cards/export/+server.ts';
import * as reservationsRoute from '../../src/routes/api/v1/staff/imports/reservations/+server.ts';

let t: TestDatabase;
const who: Partial<Record<Role, Principal>> = {};
let cardId: string;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'card_routes');
	setAppContext(testContext(t.db).ctx);
	await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	for (const role of ['viewer', 'clerk', 'supervisor', 'admin'] as const) {
		const u = await makeStaff(t.db, role);
		who[role] = { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
	}
	cardId = (await makeCard(t.db)).id;
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

type Handler = (event: never) => Promise<Response> | Response;
function call(handler: Handler, path: string, opts: { role?: Role; method?: string; body?: BodyInit; type?: string; params?: Record<string, string> } = {}) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, {
		method: opts.method ?? 'GET',
		body: opts.body,
		headers: opts.type ? { 'content-type': opts.type } : {},
		...(opts.body instanceof ReadableStream ? { duplex: 'half' } : {})
	} as RequestInit);
	const event = { request, url, params: opts.params ?? {}, locals: { principal: opts.role ? who[opts.role]! : null, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

const HEADER = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\r\n');

describe('card endpoints', () => {
	it('R-S02 R-S08 R-S09 R-S16 R-O04 every card endpoint refuses a request without a staff session (401 problem+json)', async () => {
		const calls: [string, Promise<Response>][] = [
			['import', call(importRoute.POST, '/api/v1/staff/imports/cards', { method: 'POST', body: csv(), type: 'text/csv; charset=utf-8' })],
			['sample', call(sampleRoute.GET, '/api/v1/staff/imports/cards/sample.csv')],
			['list', call(cardsRoute.GET, '/api/v1/staff/cards')],
			['status', call(statusRoute.POST, '/api/v1/staff/cards/status', { method: 'POST', body: JSON.stringify({ cardIds: [cardId], to: 'returned' }), type: 'application/json' })],
			['history', call(historyRoute.GET, `/api/v1/staff/cards/${cardId}/history`, { params: { id: cardId } })],
			['export', call(exportRoute.GET, '/api/v1/staff/cards/export')],
			['bookings import', call(reservationsRoute.POST, '/api/v1/staff/imports/reservations', { method: 'POST', body: csv(), type: 'text/csv' })]
		];
		for (const [name, p] of calls) {
			const r = await p;
			expect(r.status, name).toBe(401);
			expect(r.headers.get('content-type'), name).toContain('application/problem+json');
		}
	});

	it('R-S02 R-S08 R-S01 a viewer may search, read history and export, but not import or change statuses (403)', async () => {
		expect((await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'viewer', method: 'POST', body: csv(), type: 'text/csv' })).status).toBe(403);
		expect((await call(reservationsRoute.POST, '/api/v1/staff/imports/reservations', { role: 'viewer', method: 'POST', body: csv(), type: 'text/csv' })).status).toBe(403);
		// R-S16: over capacity needs a supervisor: a clerk naming a reason is refused before anything is read
		const clerkOverride = await call(reservationsRoute.POST, '/api/v1/staff/imports/reservations?overrideReason=x', { role: 'clerk', method: 'POST', body: csv(), type: 'text/csv' });
		expect(clerkOverride.status).toBe(403);
		expect((await call(statusRoute.POST, '/api/v1/staff/cards/status', { role: 'viewer', method: 'POST', body: JSON.stringify({ cardIds: [cardId], to: 'returned' }), type: 'application/json' })).status).toBe(403);
		expect((await call(cardsRoute.GET, '/api/v1/staff/cards?kana=テスト&sort=nameKana&dir=desc', { role: 'viewer' })).status).toBe(200);
		expect((await call(historyRoute.GET, `/api/v1/staff/cards/${cardId}/history`, { role: 'viewer', params: { id: cardId } })).status).toBe(200);
		expect((await call(exportRoute.GET, '/api/v1/staff/cards/export?encoding=shift_jis', { role: 'viewer' })).status).toBe(200);
		expect((await call(sampleRoute.GET, '/api/v1/staff/imports/cards/sample.csv', { role: 'viewer' })).status).toBe(200);
	});

	it('R-S02 POST text/csv (UTF-8 or Shift_JIS by charset) → 200 {created, updated, unchanged}; multipart works too', async () => {
		const r = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: csv('H-0001,見本 太郎,ミホン タロウ,1985/01/02,男,,honcho,,'), type: 'text/csv; charset=utf-8' });
		expect(r.status).toBe(200);
		expect(await r.json()).toMatchObject({ created: 1, updated: 0, unchanged: 0 });
		const sj = new Uint8Array(iconv.encode(csv('H-0002,見本 花子,ミホン ハナコ,昭和60年1月2日,女,,市役所本庁舎,,'), 'cp932'));
		const r2 = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: sj, type: 'text/csv; charset=Shift_JIS' });
		expect(await r2.json()).toMatchObject({ created: 1, encoding: 'shift_jis' });
		const form = new FormData();
		form.set('file', new File([sj], 'cards.csv', { type: 'text/csv' }));
		form.set('encoding', 'auto');
		const r3 = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: form });
		expect(r3.status).toBe(200);
		expect(await r3.json()).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
	});

	it('R-S02 a bad file → 422 problem+json with errors [{line, column, message}]; a wrong content type or charset → 400', async () => {
		const r = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: csv('H-0009,見本,mihon,1985/01/02,男,,honcho,,'), type: 'text/csv' });
		expect(r.status).toBe(422);
		expect(r.headers.get('content-type')).toContain('application/problem+json');
		const body = await r.json();
		expect(body).toMatchObject({ status: 422, errors: [{ line: 2, column: '氏名カナ', message: expect.any(String) }], errorCount: 1 });
		const wrong = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: '{}', type: 'application/json' });
		expect(wrong.status).toBe(400);
		const charset = await call(importRoute.POST, '/api/v1/staff/imports/cards', { role: 'clerk', method: 'POST', body: csv(), type: 'text/csv; charset=euc-jp' });
		expect(charset.status).toBe(400);
		expect(await t.db.models.CardRecord.count({ where: { noticeId: 'H0009' } })).toBe(0);
	});

	it('R-S08 POST /cards/status {cardIds, to, note} → summary; bad bodies and ids are 400, an unknown card’s history 404', async () => {
		const r = await call(statusRoute.POST, '/api/v1/staff/cards/status', { role: 'clerk', method: 'POST', body: JSON.stringify({ cardIds: [cardId], to: 'returned', note: '返戻' }), type: 'application/json' });
		expect(r.status).toBe(200);
		expect(await r.json()).toEqual({ to: 'returned', changed: 1, unchanged: 0, refused: [], notFound: [] });
		const h = await call(historyRoute.GET, `/api/v1/staff/cards/${cardId}/history`, { role: 'viewer', params: { id: cardId } });
		expect((await h.json()).history[0]).toMatchObject({ kind: 'status', from: 'notice_sent', to: 'returned', note: '返戻' });
		for (const body of [{ cardIds: [], to: 'returned' }, { cardIds: ['x'], to: 'returned' }, { cardIds: [cardId], to: 'lost' }, { cardIds: [cardId], to: 'returned', extra: 1 }, { cardIds: [cardId], to: 'cancelled', note: 'a\u0000' }]) {
			const bad = await call(statusRoute.POST, '/api/v1/staff/cards/status', { role: 'clerk', method: 'POST', body: JSON.stringify(body), type: 'application/json' });
			expect(bad.status, JSON.stringify(body)).toBe(400);
		}
		expect((await call(historyRoute.GET, '/api/v1/staff/cards/abc/history', { role: 'viewer', params: { id: 'abc' } })).status).toBe(400);
		expect((await call(historyRoute.GET, '/api/v1/staff/cards/99999999/history', { role: 'viewer', params: { id: '99999999' } })).status).toBe(404);
	});

	it('R-S09 GET /cards keeps its contract (six fields, status/q/limit/offset) and refuses unknown or bad filters with 400', async () => {
		const r = await call(cardsRoute.GET, '/api/v1/staff/cards?status=returned&limit=10&offset=0', { role: 'viewer' });
		const body = await r.json();
		expect(Object.keys(body.items[0]).sort()).toEqual(['birthDate', 'id', 'nameKana', 'noticeId', 'status', 'storageLocationId']);
		for (const q of ['limit=100000', 'sort=name', 'from=2026-13-01', 'color=red', 'status=lost', 'kana=%00', 'q=a%00b']) {
			expect((await call(cardsRoute.GET, `/api/v1/staff/cards?${q}`, { role: 'viewer' })).status, q).toBe(400);
		}
	});
});

describe('「カード検索」 page actions', () => {
	const form = (fields: Record<string, string | string[]>) => {
		const f = new FormData();
		for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) f.append(k, x);
		return f;
	};
	const act = async (name: 'status' | 'paste', role: Role, fields: Record<string, string | string[]>) => {
		const { actions } = await import('../../src/routes/staff/(app)/cards/+page.server.ts');
		const request = new Request('http://127.0.0.1/staff/cards', { method: 'POST', body: form(fields) });
		return (actions[name] as (e: unknown) => Promise<unknown>)({ request, locals: { principal: who[role]!, lang: 'ja' }, getClientAddress: () => '127.0.0.1' });
	};

	it('R-S08 R-S09 bulk change of a whole search result (scope all) by a clerk; a viewer is refused; bad filters change nothing', async () => {
		const cards = await Promise.all(Array.from({ length: 3 }, (_, i) => makeCard(t.db, { noticeId: `PAGE${i}` })));
		const all = (await act('status', 'clerk', { scope: 'all', filters: JSON.stringify({ noticeId: 'PAGE' }), to: 'returned', note: '一括' })) as { summary: { changed: number } };
		expect(all.summary.changed).toBe(3);
		for (const c of cards) expect((await c.reload()).status).toBe('returned');
		const viewer = (await act('status', 'viewer', { scope: 'selected', cardId: cards.map((c) => c.id), to: 'cancelled' })) as { status: number };
		expect(viewer.status).toBe(403);
		const bad = (await act('status', 'clerk', { scope: 'all', filters: '{not json', to: 'cancelled' })) as { status: number };
		expect(bad.status).toBe(400);
		for (const c of cards) expect((await c.reload()).status).toBe('returned');
	});

	it('R-S08 pasted notice IDs are resolved to cards, unknown ones listed', async () => {
		await makeCard(t.db, { noticeId: 'PASTE1' });
		const r = (await act('paste', 'clerk', { noticeIds: 'paste-1\nNOSUCH9\n' })) as { pasted: { items: { noticeId: string }[]; notFound: string[] } };
		expect(r.pasted.items.map((c) => c.noticeId)).toEqual(['PASTE1']);
		expect(r.pasted.notFound).toEqual(['NOSUCH9']);
	});
});
