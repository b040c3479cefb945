import { expect, test } from '@playwright/test';
import { nodes, openDay, apiLogin, staffSlots } from './helpers.ts';
import { citizenToken, freeCards, sql } from './citizen.ts';

/** Issue 8 "bad input": every citizen endpoint tried with what people and bots send. */
const NASTY = ['', ' ', 'a'.repeat(300), 'Ｘ１２３', '😀😀😀', '<script>alert(1)</script>', "1' OR '1'='1", '1; DROP TABLE reservations;--', '../../etc/passwd', '\r\nBcc: x@evil.example'];

test('R-O04 R-C02 R-C03 bad input on every citizen endpoint gets a clear problem+json, reflects nothing unescaped and stores nothing', async ({ request }) => {
	const { a, b } = nodes();
	const before = await sql<{ links: string; holds: string; reservations: string }>(
		`SELECT (SELECT count(*) FROM citizen_links) AS links, (SELECT count(*) FROM holds) AS holds, (SELECT count(*) FROM reservations) AS reservations`
	);
	for (const v of NASTY) {
		const r = await request.post(`${b.url}/api/v1/citizen/links`, { data: { email: v } });
		expect(r.status(), v).toBe(400);
		expect(r.headers()['content-type']).toContain('application/problem+json');
		expect(await r.text()).not.toContain('<script>');
	}
	expect((await request.post(`${b.url}/api/v1/citizen/links`, { data: { email: 'ok@example.jp', admin: true } })).status()).toBe(400);
	// a form-like content type from another origin is refused by SvelteKit's CSRF check (403), a wrong type otherwise 400
	expect([400, 403]).toContain((await request.post(`${b.url}/api/v1/citizen/links`, { headers: { 'content-type': 'text/plain' }, data: 'email=x' })).status());
	expect((await request.post(`${b.url}/api/v1/citizen/links`, { headers: { 'content-type': 'application/json' }, data: '{"email":' })).status()).toBe(400);
	for (const v of NASTY) {
		const r = await request.post(`${b.url}/api/v1/citizen/session`, { data: { token: v } });
		expect([400, 410], v).toContain(r.status());
		const m = await request.get(`${b.url}/api/v1/citizen/reservations/${encodeURIComponent(v || 'x')}`);
		expect([400, 404], v).toContain(m.status());
		expect(await m.text()).not.toContain('<script>');
	}

	const token = await citizenToken(request, a.url, 'nasty@example.jp');
	const bearer = { authorization: `Bearer ${token}` };
	const date = await openDay(request, a.url, 1, 6);
	const staff = await apiLogin(request, a.url, 'viewer');
	const [slot] = await staffSlots(request, a.url, staff, 1, date);
	// far from the other tests' cards: this one ends up locked out (R-C14)
	const [card] = await freeCards(1, 250);
	const purposes = await (await request.get(`${a.url}/api/v1/locations/1/purposes`)).json();
	const base = { slotId: slot.id, purposeId: purposes.purposes[0].id };
	for (const v of NASTY) {
		for (const persons of [[{ noticeId: v, birthMonthDay: card.monthDay }], [{ noticeId: card.noticeId, birthMonthDay: v }]]) {
			const r = await request.post(`${b.url}/api/v1/holds`, { headers: bearer, data: { ...base, persons } });
			// after five failures the session is locked out (R-C14): 429 is a refusal too
			expect([400, 422, 429], `${v}`).toContain(r.status());
			expect(await r.text()).not.toContain('<script>');
		}
	}
	for (const data of [{ ...base }, { ...base, persons: [] }, { ...base, persons: Array(6).fill({ noticeId: card.noticeId, birthMonthDay: card.monthDay }) }, { ...base, slotId: "1' OR 1=1", persons: [{ noticeId: card.noticeId, birthMonthDay: card.monthDay }] }, { ...base, partySize: 5, persons: [{ noticeId: card.noticeId, birthMonthDay: card.monthDay }] }]) {
		const r = await request.post(`${b.url}/api/v1/holds`, { headers: bearer, data });
		expect([400, 404, 422, 429], JSON.stringify(data).slice(0, 80)).toContain(r.status());
	}
	expect((await staffSlots(request, a.url, staff, 1, date))[0].held).toBe(0);
	const after = await sql<{ holds: string; reservations: string }>(`SELECT (SELECT count(*) FROM holds) AS holds, (SELECT count(*) FROM reservations) AS reservations`);
	expect([after[0].holds, after[0].reservations]).toEqual([before[0].holds, before[0].reservations]);
});

test('R-O04 R-C01 the email form shows what was typed back escaped, with the message beside the field', async ({ page }) => {
	const { b } = nodes();
	await page.goto(`${b.url}/`);
	await page.getByLabel('メールアドレス').fill('<img src=x onerror=alert(1)>');
	await page.getByRole('button', { name: '手続き用のリンクを送る' }).click();
	await expect(page.getByRole('alert')).toContainText('メールアドレスを正しく入力してください');
	await expect(page.getByLabel('メールアドレス')).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByLabel('メールアドレス')).toHaveValue('<img src=x onerror=alert(1)>');
	expect(await page.locator('img[src="x"]').count()).toBe(0);
});
