import { expect, test } from '@playwright/test';
import pg from 'pg';
import { e2eState } from './state.ts';
import { apiLogin, nodes, openDay, setCapacity, staffSlots, uiLogin } from './helpers.ts';

/**
 * The spine, end to end across two nodes (R-O01, R-L04): a supervisor on node A changes a slot's
 * capacity in the staff page; the citizen calendar open on node B changes its level live.
 */
test('R-C06 R-S05 R-L04 a capacity change on node A changes the citizen calendar on node B without reload', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 1, 0);
	const token = await apiLogin(request, a.url, 'supervisor');
	const slots = await staffSlots(request, a.url, token, 1, date);
	expect(slots.length).toBeGreaterThan(1);
	// Leave one slot open so the UI change decides the day's level.
	for (const s of slots.slice(1)) await setCapacity(request, a.url, token, s.id, 0);

	const citizen = await (await browser.newContext()).newPage();
	await citizen.goto(`${b.url}/locations/1?month=${date.slice(0, 7)}`);
	await expect(citizen.getByRole('status')).toHaveAttribute('data-state', 'live');
	const cell = citizen.locator(`[data-date="${date}"]`);
	await expect(cell).toHaveAttribute('data-level', 'many');
	let reloads = 0;
	citizen.on('load', () => reloads++);

	const staff = await (await browser.newContext()).newPage();
	await uiLogin(staff, a.url, 'supervisor');
	await staff.goto(`${a.url}/staff/slots?locationId=1&date=${date}`);
	// Type only once the page is live (hydrated): before that, the server-rendered input is not yet the app's.
	await expect(staff.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	const row = staff.locator(`tr[data-slot-id="${slots[0].id}"]`);
	await row.locator('input[name="capacity"]').fill('2');
	await row.locator('input[name="reason"]').fill('窓口1つ閉鎖');
	// Someone else's edit arrives while the supervisor is typing: it shows, and what was typed stays.
	const other = staff.locator(`tr[data-slot-id="${slots[1].id}"] [data-field="capacity"]`);
	await setCapacity(request, a.url, token, slots[1].id, 1);
	await expect(other).toHaveText('1');
	await setCapacity(request, a.url, token, slots[1].id, 0);
	await expect(other).toHaveText('0');
	await expect(row.locator('input[name="capacity"]')).toHaveValue('2');
	await row.getByRole('button', { name: '変更' }).click();
	await expect(row.getByRole('status')).toHaveText('変更しました。');
	await expect(row.locator('[data-field="capacity"]')).toHaveText('2');

	await expect(cell).toHaveAttribute('data-level', 'few', { timeout: 2000 });
	await expect(cell).toContainText('残りわずか');

	await row.locator('input[name="capacity"]').fill('0');
	await row.locator('input[name="reason"]').fill('受付停止');
	await row.getByRole('button', { name: '変更' }).click();
	await expect(cell).toHaveAttribute('data-level', 'closed', { timeout: 2000 });
	expect(reloads).toBe(0);
	// The citizen page never shows counts.
	expect(await citizen.content()).not.toMatch(/capacity|booked|定員/);
});

test('R-L01 R-S05 a second staff screen on node B sees the supervisor’s edit arrive', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 1, 1);
	const token = await apiLogin(request, a.url, 'supervisor');
	const [slot] = await staffSlots(request, a.url, token, 1, date);

	const watcher = await (await browser.newContext()).newPage();
	await uiLogin(watcher, b.url, 'clerk');
	await watcher.goto(`${b.url}/staff/slots?locationId=1&date=${date}`);
	await expect(watcher.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	// A clerk sees the counts but not the capacity editor.
	await expect(watcher.locator('input[name="capacity"]')).toHaveCount(0);
	const cap = watcher.locator(`tr[data-slot-id="${slot.id}"] [data-field="capacity"]`);
	await expect(cap).toHaveText(String(slot.capacity));
	await setCapacity(request, a.url, token, slot.id, slot.capacity + 3);
	await expect(cap).toHaveText(String(slot.capacity + 3), { timeout: 2000 });
});

test('R-S05 a supervisor’s capacity form refuses a missing reason and a capacity below the booked count, unless overridden', async ({ page, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 2, 0);
	const token = await apiLogin(request, a.url, 'supervisor');
	const [slot] = await staffSlots(request, a.url, token, 2, date);
	const db = new pg.Client({ connectionString: e2eState().databaseUrl });
	await db.connect();
	const { rows: [card] } = await db.query(`SELECT notice_id, birth_date::text AS birth_date FROM card_records WHERE status = 'notice_sent' ORDER BY id LIMIT 1 OFFSET 120`);
	await db.end();
	const booked = await request.post(`${a.url}/api/v1/staff/reservations`, {
		headers: { authorization: `Bearer ${token}` },
		data: { slotId: slot.id, persons: [{ noticeId: card.notice_id, birthDate: card.birth_date }] }
	});
	expect(booked.status(), await booked.text()).toBe(201);
	const { bookingNumber } = await booked.json();

	await uiLogin(page, a.url, 'supervisor');
	await page.goto(`${a.url}/staff/slots?locationId=2&date=${date}`);
	await expect(page.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	const row = page.locator(`tr[data-slot-id="${slot.id}"]`);
	await row.locator('input[name="capacity"]').fill('-1');
	await row.locator('input[name="reason"]').fill('x');
	// The browser's own validation stops a negative number; bypass it to see the server's message.
	await row.locator('form').evaluate((f: HTMLFormElement) => (f.noValidate = true));
	await row.getByRole('button', { name: '変更' }).click();
	await expect(row.getByRole('alert')).toHaveText('定員は0〜1000の整数で入力してください。');
	await row.locator('input[name="capacity"]').fill('3');
	await row.locator('input[name="reason"]').fill('   ');
	await row.getByRole('button', { name: '変更' }).click();
	await expect(row.getByRole('alert')).toHaveText('変更の理由を入力してください。');

	// Below the booked count: refused with the count, then allowed only as an explicit override.
	await row.locator('input[name="capacity"]').fill('0');
	await row.locator('input[name="reason"]').fill('窓口閉鎖');
	await row.getByRole('button', { name: '変更' }).click();
	await expect(row.getByRole('alert')).toContainText('1人');
	await expect(row.locator('[data-field="capacity"]')).toHaveText(String(slot.capacity));
	// the refusal names the control that is really there
	await expect(row.getByRole('alert')).toContainText('「定員超過を承知で変更」');
	await row.getByLabel(/^\s*定員超過を承知で変更/).check();
	await row.getByRole('button', { name: '変更' }).click();
	await expect(row.getByRole('status')).toContainText(`定員を超える予約：${bookingNumber}（1人）`);
	await expect(row.locator('[data-field="capacity"]')).toHaveText('0');
});
