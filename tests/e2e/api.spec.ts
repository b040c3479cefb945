import { expect, test } from '@playwright/test';
import { apiLogin, nodes, openDay, staffSlots } from './helpers.ts';

test.describe('public contract and bad input', () => {
	test('R-O06 health, readiness and metrics answer on every node', async ({ request }) => {
		for (const n of Object.values(nodes())) {
			expect((await request.get(`${n.url}/healthz`)).status()).toBe(200);
			const ready = await request.get(`${n.url}/readyz`);
			expect(await ready.json()).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
			const metrics = await (await request.get(`${n.url}/metrics`)).text();
			expect(metrics).toContain('http_request_duration_seconds');
			expect(metrics).toContain('socketio_connected_clients');
			expect(metrics).toContain('db_pool_size');
		}
	});

	test('R-C04 R-C05 locations and availability are public and carry levels only', async ({ request }) => {
		const { b } = nodes();
		const locs = await (await request.get(`${b.url}/api/v1/locations`)).json();
		expect(locs.locations.map((l: { nameJa: string }) => l.nameJa)).toEqual(['市役所本庁舎 市民課', '北支所', '南支所']);
		const date = await openDay(request, b.url, 1, 3);
		const r = await request.get(`${b.url}/api/v1/locations/1/availability?from=${date}&to=${date}`);
		const body = await r.json();
		expect(body.slots.length).toBeGreaterThan(0);
		for (const s of body.slots) expect(Object.keys(s).sort()).toEqual(['date', 'endsAt', 'id', 'level', 'startsAt']);
		expect(body.slots[0].startsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+09:00$/);
	});

	test('R-O04 malformed JSON, unknown fields and wrong types are 400 problem+json naming the field; nothing changes', async ({ request }) => {
		const { a } = nodes();
		const token = await apiLogin(request, a.url, 'supervisor');
		const date = await openDay(request, a.url, 3, 0);
		const [slot] = await staffSlots(request, a.url, token, 3, date);
		const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
		const cases: [string, string][] = [
			['{"capacity": 3, "reason": "x"', '(body)'],
			['{"capacity": "3", "reason": "x"}', 'capacity'],
			['{"capacity": 3, "reason": "x", "extra": true}', 'extra'],
			['{"capacity": 3}', 'reason'],
			['{"capacity": 2.5, "reason": "x"}', 'capacity']
		];
		for (const [data, field] of cases) {
			const r = await request.patch(`${a.url}/api/v1/staff/slots/${slot.id}`, { headers: h, data });
			expect(r.status(), data).toBe(400);
			expect(r.headers()['content-type']).toContain('application/problem+json');
			const p = await r.json();
			expect(p).toMatchObject({ status: 400, title: 'Bad Request' });
			expect(p.errors.map((e: { field: string }) => e.field)).toContain(field);
		}
		const bad = await request.get(`${a.url}/api/v1/staff/slots?locationId=1&date=2026-02-30`, { headers: h });
		expect(bad.status()).toBe(400);
		expect((await bad.json()).errors[0].field).toBe('date');
		const [after] = await staffSlots(request, a.url, token, 3, date);
		expect(after).toEqual(slot);
	});

	test('R-S01 R-O04 no session is 401 and a weaker role is 403, as problem+json', async ({ request }) => {
		const { a } = nodes();
		const r401 = await request.get(`${a.url}/api/v1/staff/cards`);
		expect(r401.status()).toBe(401);
		expect(r401.headers()['content-type']).toContain('application/problem+json');
		const clerk = await apiLogin(request, a.url, 'clerk');
		const r403 = await request.patch(`${a.url}/api/v1/staff/slots/1`, { headers: { authorization: `Bearer ${clerk}` }, data: { capacity: 1, reason: 'x' } });
		expect(r403.status()).toBe(403);
		expect((await r403.json()).detail).toBe('この操作を行う権限がありません。');
		const login = await request.post(`${a.url}/api/v1/staff/session`, { data: { userId: 'clerk' } });
		expect(login.status()).toBe(400);
		expect((await login.json()).errors[0].field).toBe('password');
	});

	test('R-S09 staff list card records with filters and paging', async ({ request }) => {
		const { a } = nodes();
		const token = await apiLogin(request, a.url, 'viewer');
		const r = await request.get(`${a.url}/api/v1/staff/cards?status=notice_sent&limit=10&offset=5`, { headers: { authorization: `Bearer ${token}` } });
		const body = await r.json();
		expect(body.total).toBeGreaterThanOrEqual(200);
		expect(body.items).toHaveLength(10);
		const bad = await request.get(`${a.url}/api/v1/staff/cards?limit=100000`, { headers: { authorization: `Bearer ${token}` } });
		expect(bad.status()).toBe(400);
	});

	test('R-O04 pages cannot be framed and do not leak type', async ({ request }) => {
		const r = await request.get(`${nodes().a.url}/`);
		expect(r.headers()['x-frame-options']).toBe('DENY');
		expect(r.headers()['x-content-type-options']).toBe('nosniff');
	});
});
