import { expect, test, type APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { citizenToken, freeCards as citizenCards, linkFor } from './citizen.ts';
import { apiLogin, nodes, openDay, setCapacity, staffSlots, uiLogin } from './helpers.ts';

/**
 * The booking core end to end (R-S04, R-S05, R-C15, R-C12). Uses location 3 on days far from
 * today (other specs take the last one or two) and demo cards from the end of the list, each
 * checked to be still 通知書発送済.
 */
interface Card {
	id: string;
	noticeId: string;
	birthDate: string;
	status: string;
}

let cardCursor = 299;
async function freeCards(request: APIRequestContext, base: string, token: string, n: number): Promise<Card[]> {
	const out: Card[] = [];
	while (out.length < n) {
		const r = await request.get(`${base}/api/v1/staff/cards?limit=1&offset=${cardCursor--}`, { headers: { authorization: `Bearer ${token}` } });
		const [c] = (await r.json()).items as Card[];
		if (c?.status === 'notice_sent' && !out.some((x) => x.noticeId === c.noticeId)) out.push(c);
	}
	return out;
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

test('R-S04 R-S05 a clerk books a household at the counter page; a supervisor books beyond capacity with a reason', async ({ browser, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 3, 6);
	const token = await apiLogin(request, a.url, 'supervisor');
	const [first, second] = await staffSlots(request, a.url, token, 3, date);
	const [p1, p2, p3] = await freeCards(request, a.url, token, 3);

	const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
	await uiLogin(page, a.url, 'clerk');
	await page.getByRole('link', { name: '窓口・電話予約' }).click();
	await page.goto(`${a.url}/staff/reservations/new?locationId=3&date=${date}`);
	const row = page.locator(`tr[data-slot-id="${first.id}"]`);
	await expect(row.locator('[data-field="capacity"]')).toHaveText(String(first.capacity));
	await expect(row.locator('[data-field="booked"]')).toHaveText('0');
	// a clerk has no override
	await expect(page.getByText('定員超過（監督者・管理者）')).toHaveCount(0);

	await row.getByRole('radio').check();
	await page.getByLabel('交付通知書番号').first().fill(p1.noticeId);
	await page.getByLabel('生年月日').first().fill(p1.birthDate);
	await page.getByRole('button', { name: '1人追加' }).click();
	await page.getByLabel('交付通知書番号').nth(1).fill(p2.noticeId);
	await page.getByLabel('生年月日').nth(1).fill('1901-01-01');
	await page.getByRole('button', { name: '予約する' }).click();
	// R-C03 for staff: the person is named, nothing is written
	await expect(page.getByRole('alert')).toContainText('2人目: 交付通知書番号と生年月日に一致するカードがありません');
	await expect(row.locator('[data-field="booked"]')).toHaveText('0');

	await page.getByLabel('生年月日').nth(1).fill(p2.birthDate);
	await page.getByRole('button', { name: '予約する' }).click();
	const done = page.getByRole('status').filter({ hasText: '予約しました' });
	await expect(done).toContainText(/予約番号\s*\d{4}-\d{4}/);
	await expect(row.locator('[data-field="booked"]')).toHaveText('2');
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/staff-booking-phone.png`, fullPage: true });
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

	// Fill the second slot to its capacity, then a supervisor overbooks it with a reason.
	await setCapacity(request, a.url, token, second.id, 0);
	const sup = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(sup, a.url, 'supervisor');
	await sup.goto(`${a.url}/staff/reservations/new?locationId=3&date=${date}`);
	const full = sup.locator(`tr[data-slot-id="${second.id}"]`);
	await expect(full.locator('[data-field="remaining"]')).toHaveText('満員');
	await full.getByRole('radio').check();
	await sup.getByLabel('交付通知書番号').fill(p3.noticeId);
	await sup.getByLabel('生年月日').fill(p3.birthDate);
	await sup.getByRole('button', { name: '予約する' }).click();
	await expect(sup.getByRole('alert')).toContainText('この枠は満員です');
	await sup.getByLabel('定員超過で予約（満員の枠でも予約する）').check();
	await sup.getByLabel('理由（操作ログに記録されます）').fill('車椅子の方のため時間指定');
	await sup.getByRole('button', { name: '予約する' }).click();
	await expect(sup.getByRole('status').filter({ hasText: '予約しました' })).toContainText('定員超過：車椅子の方のため時間指定');
	await expect(full.locator('[data-field="booked"]')).toHaveText('1');
	const axe = await new AxeBuilder({ page: sup }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
	await sup.screenshot({ path: `${ARTIFACTS}/screenshots/staff-booking-desktop.png`, fullPage: true });
});

test('R-S04 R-C12 the booking API: create, double booking refused naming the person, move, cancel; bad input is problem+json and writes nothing', async ({ request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 3, 7);
	const token = await apiLogin(request, a.url, 'clerk');
	const slots = await staffSlots(request, a.url, token, 3, date);
	const [c1, c2] = await freeCards(request, a.url, token, 2);
	const person = (c: Card) => ({ noticeId: c.noticeId, birthDate: c.birthDate });

	const created = await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth(token), data: { slotId: slots[2].id, persons: [person(c1)] } });
	expect(created.status(), await created.text()).toBe(201);
	const r = await created.json();
	expect(r).toMatchObject({ status: 'active', locationId: 3, date, partySize: 1, slotIds: [slots[2].id] });

	// R-C12, on the other node
	const again = await request.post(`${b.url}/api/v1/staff/reservations`, { headers: auth(token), data: { slotId: slots[3].id, persons: [person(c2), person(c1)] } });
	expect(again.status()).toBe(409);
	expect(again.headers()['content-type']).toContain('application/problem+json');
	const p = await again.json();
	expect(p.detail).toContain(`2人目（交付通知書番号 ${c1.noticeId}）の方は既に予約があります（予約番号 ${r.bookingNumber}）`);
	expect(p.errors).toEqual([{ field: 'persons.1', message: '既に予約があります。' }]);

	const bad: [unknown, number, string][] = [
		[{ slotId: '999999999', persons: [person(c2)] }, 404, 'slotId'],
		[{ slotId: slots[3].id, persons: [{ noticeId: c2.noticeId, birthDate: '1980-02-30' }] }, 400, 'persons.0.birthDate'],
		[{ slotId: slots[3].id, persons: [] }, 400, 'persons'],
		[{ slotId: slots[3].id, persons: [person(c2)], override: { reason: '' } }, 400, 'override.reason'],
		[{ slotId: slots[3].id, persons: [person(c2)], extra: 1 }, 400, 'extra']
	];
	for (const [data, status, field] of bad) {
		const res = await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth(token), data: data as object });
		expect(res.status(), JSON.stringify(data)).toBe(status);
		expect((await res.json()).errors.map((e: { field: string }) => e.field)).toContain(field);
	}
	const clerkOverride = await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth(token), data: { slotId: slots[3].id, persons: [person(c2)], override: { reason: 'x' } } });
	expect(clerkOverride.status()).toBe(403);
	const after = await staffSlots(request, a.url, token, 3, date);
	expect(after[3].booked).toBe(0);

	const moved = await request.patch(`${a.url}/api/v1/staff/reservations/${r.id}`, { headers: auth(token), data: { slotId: slots[4].id } });
	expect(moved.status(), await moved.text()).toBe(200);
	expect((await moved.json()).slotIds).toEqual([slots[4].id]);
	const cancelled = await request.delete(`${b.url}/api/v1/staff/reservations/${r.id}`, { headers: auth(token), data: { reason: '本人から電話' } });
	expect(cancelled.status()).toBe(200);
	expect((await cancelled.json()).status).toBe('cancelled');
	const twice = await request.delete(`${b.url}/api/v1/staff/reservations/${r.id}`, { headers: auth(token) });
	expect(twice.status()).toBe(409);
	const final = await staffSlots(request, a.url, token, 3, date);
	expect([final[2].booked, final[4].booked]).toEqual([0, 0]);
});

test('R-C15 R-C08 R-C03 R-C02 through the API a citizen session holds verified persons, acknowledges and confirms; anonymous clients hold nothing', async ({ request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 3, 8);
	const staff = await apiLogin(request, a.url, 'viewer');
	const [slot] = await staffSlots(request, a.url, staff, 3, date);
	const [card] = await citizenCards(1, 200);
	const purposes = await (await request.get(`${b.url}/api/v1/locations/3/purposes`)).json();
	expect(purposes.purposes[0]).toMatchObject({ code: 'card_issuance', precautions: { ja: expect.stringContaining('交付通知書') } });
	const body = { slotId: slot.id, purposeId: purposes.purposes[0].id, persons: [{ noticeId: card.noticeId, birthMonthDay: card.monthDay }] };

	// the bot of the issue: no session, no hold
	const anonymous = await request.post(`${b.url}/api/v1/holds`, { data: body });
	expect(anonymous.status()).toBe(401);
	expect(anonymous.headers()['content-type']).toContain('application/problem+json');

	const token = await citizenToken(request, b.url, 'api-citizen@example.jp');
	const bearer = { authorization: `Bearer ${token}` };
	const wrong = await request.post(`${b.url}/api/v1/holds`, { headers: bearer, data: { ...body, persons: [{ noticeId: card.noticeId, birthMonthDay: '02-30' }] } });
	expect(wrong.status()).toBe(422);
	const wrongBody = await wrong.json();
	expect(wrongBody.detail).toContain('交付通知書番号または生年月日');
	expect(wrongBody.errors).toBeUndefined();

	const h = await request.post(`${b.url}/api/v1/holds`, { headers: bearer, data: body });
	expect(h.status(), await h.text()).toBe(201);
	const hold = await h.json();
	expect(hold).toMatchObject({ holdId: expect.any(String), expiresAt: expect.any(String), precautions: expect.stringContaining('本人確認書類') });
	expect((await staffSlots(request, a.url, staff, 3, date))[0].held).toBe(1);

	const unacknowledged = await request.post(`${a.url}/api/v1/holds/${hold.holdId}/confirm`, { headers: bearer, data: {} });
	expect(unacknowledged.status()).toBe(400);
	expect((await unacknowledged.json()).errors[0].field).toBe('acknowledgedPrecautions');
	const ok = await request.post(`${a.url}/api/v1/holds/${hold.holdId}/confirm`, { headers: bearer, data: { acknowledgedPrecautions: true } });
	expect(ok.status(), await ok.text()).toBe(201);
	const booked = await ok.json();
	expect(booked).toMatchObject({ reservationNumber: expect.stringMatching(/^\d{4}-\d{4}$/), manageUrl: expect.stringContaining('/manage/'), date, partySize: 1 });
	const s = (await staffSlots(request, a.url, staff, 3, date))[0];
	expect([s.held, s.booked]).toEqual([0, 1]);
	// the manage link reads the booking on the other node, and the same link opens no second session
	const token2 = booked.manageUrl.split('/manage/')[1];
	const view = await request.get(`${b.url}/api/v1/citizen/reservations/${token2}`);
	expect(await view.json()).toMatchObject({ reservationNumber: booked.reservationNumber, status: 'active' });
	expect((await request.post(`${a.url}/api/v1/citizen/session`, { data: { token: await linkFor('api-citizen@example.jp') } })).status()).toBe(410);
});

test('R-S05 a capacity below the booked count is an override listing the bookings; a time range changes in one call', async ({ request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 3, 9);
	const token = await apiLogin(request, a.url, 'supervisor');
	const [s0, s1] = await staffSlots(request, a.url, token, 3, date);
	const [card] = await freeCards(request, a.url, token, 1);
	const r = await (await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth(token), data: { slotId: s0.id, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }] } })).json();
	const refused = await request.patch(`${a.url}/api/v1/staff/slots/${s0.id}`, { headers: auth(token), data: { capacity: 0, reason: '急病' } });
	expect(refused.status()).toBe(409);
	const over = await request.patch(`${a.url}/api/v1/staff/slots/${s0.id}`, { headers: auth(token), data: { capacity: 0, reason: '急病', override: true } });
	expect(over.status()).toBe(200);
	expect(await over.json()).toMatchObject({ capacity: 0, booked: 1, override: true, affectedReservations: [{ id: r.id, bookingNumber: r.bookingNumber }] });
	const range = await request.post(`${a.url}/api/v1/staff/slots/capacity-range`, {
		headers: auth(token),
		data: { locationId: 3, date, start: s1.startsAt.slice(11, 16), end: '23:59', capacity: 5, reason: '応援職員' }
	});
	expect(range.status(), await range.text()).toBe(200);
	const body = await range.json();
	expect(body.slots.length).toBeGreaterThan(1);
	expect(body.slots.every((x: { capacity: number }) => x.capacity === 5)).toBe(true);
	const bad = await request.post(`${a.url}/api/v1/staff/slots/capacity-range`, { headers: auth(token), data: { locationId: 3, date, start: '12:00', end: '11:00', capacity: 1, reason: 'x' } });
	expect(bad.status()).toBe(400);
	expect((await bad.json()).errors).toEqual([{ field: 'end', message: '終了時刻は開始時刻より後にしてください' }]);
});

test('the OpenAPI document describes the booking and slot endpoints from the zod schemas', async ({ request }) => {
	const r = await request.get(`${nodes().b.url}/api/v1/openapi.json`);
	expect(r.status()).toBe(200);
	const doc = await r.json();
	expect(doc.openapi).toBe('3.1.0');
	for (const path of ['/api/v1/staff/reservations', '/api/v1/staff/reservations/{id}', '/api/v1/holds', '/api/v1/holds/{id}/confirm', '/api/v1/staff/slots/{id}', '/api/v1/staff/slots/capacity-range']) {
		expect(doc.paths[path], path).toBeDefined();
	}
	const body = doc.paths['/api/v1/staff/reservations'].post.requestBody.content['application/json'].schema;
	expect(body.required).toEqual(['slotId', 'persons']);
	expect(body.properties.persons.maxItems).toBe(5);
	expect(doc.paths['/api/v1/staff/slots/{id}'].patch.requestBody.content['application/json'].schema.properties.override).toEqual({ type: 'boolean' });
});
