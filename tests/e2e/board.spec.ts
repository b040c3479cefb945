import { expect, test } from '@playwright/test';
import pg from 'pg';
import { e2eState } from './state.ts';
import { apiLogin, nodes, setCapacity, uiLogin } from './helpers.ts';
import { ARTIFACTS } from './state.ts';

/** A slot today at location 3 that starts a few minutes from now, so the board (today only) has something to count. */
async function todaySlot(capacity: number, minutesAhead: number): Promise<string> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		// Each test its own minute, so no two tests share (and upsert) one slot.
		const start = new Date(Math.ceil((Date.now() + minutesAhead * 60_000) / 60_000) * 60_000);
		const date = new Date(start.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
		const { rows } = await c.query(
			`INSERT INTO slots (location_id, date, starts_at, ends_at, capacity) VALUES (3, $1, $2, $3, $4)
			 ON CONFLICT (location_id, starts_at) DO UPDATE SET capacity = EXCLUDED.capacity RETURNING id`,
			[date, start, new Date(start.getTime() + 10 * 60_000), capacity]
		);
		return String(rows[0].id);
	} finally {
		await c.end();
	}
}

/** A visit booked today in `slotId` for one demo card (written as the booking use case leaves it). */
async function todayVisit(slotId: string): Promise<{ reservationId: string; cardId: string }> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		await c.query('BEGIN');
		const { rows: [slot] } = await c.query(`SELECT location_id, date::text AS date, starts_at, ends_at FROM slots WHERE id = $1`, [slotId]);
		const { rows: [card] } = await c.query(`SELECT id FROM card_records WHERE status = 'notice_sent' ORDER BY id DESC LIMIT 1 FOR UPDATE`);
		const { rows: [r] } = await c.query(
			`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, created_by)
			 VALUES ('E2E' || $1, $2, (SELECT min(id) FROM purposes), 1, $3, $4, $5, 'staff', 'e2e') RETURNING id`,
			[String(Date.now()).slice(-8), slot.location_id, slot.date, slot.starts_at, slot.ends_at]
		);
		await c.query(`INSERT INTO reservation_slots (reservation_id, slot_id) VALUES ($1, $2)`, [r.id, slotId]);
		await c.query(`INSERT INTO reservation_persons (reservation_id, card_record_id) VALUES ($1, $2)`, [r.id, card.id]);
		await c.query(`UPDATE card_records SET status = 'reserved' WHERE id = $1`, [card.id]);
		await c.query(`UPDATE slots SET booked = booked + 1, version = version + 1 WHERE id = $1`, [slotId]);
		await c.query('COMMIT');
		return { reservationId: String(r.id), cardId: String(card.id) };
	} finally {
		await c.end();
	}
}

test('R-S15 R-L03 R-L02 a check-in at a counter on node A appears on a staff screen and the wall board on node B', async ({ browser }) => {
	const { a, b } = nodes();
	const slotId = await todaySlot(4, 5);
	const visit = await todayVisit(slotId);
	const date = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

	const watcher = await (await browser.newContext()).newPage();
	await uiLogin(watcher, b.url, 'viewer');
	await watcher.goto(`${b.url}/staff/slots?locationId=3&date=${date}`);
	await expect(watcher.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	const person = watcher.locator(`li[data-card-id="${visit.cardId}"]`);
	await expect(person).toHaveAttribute('data-status', 'reserved');

	const boardPage = await (await browser.newContext()).newPage();
	await uiLogin(boardPage, b.url, 'viewer');
	await boardPage.goto(`${b.url}/board/3`);
	await expect(boardPage.getByRole('status')).toHaveAttribute('data-state', 'live');
	const waitingBefore = Number(await boardPage.locator('[data-counter="waiting"]').textContent());

	const counter = await (await browser.newContext()).newPage();
	await uiLogin(counter, a.url, 'clerk');
	await counter.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
	const row = counter.locator(`tr[data-reservation-id="${visit.reservationId}"]`);
	await row.getByRole('button', { name: '来庁受付' }).click();
	await expect(row).toContainText('受付');

	await expect(person).toHaveAttribute('data-status', 'checked_in', { timeout: 2000 });
	await expect(boardPage.locator('[data-counter="waiting"]')).toHaveText(String(waitingBefore + 1), { timeout: 2000 });

	// 交付済 is given at the counter page, behind a confirmation
	await row.getByRole('link', { name: /窓口画面で開く/ }).click();
	const card = counter.locator(`li.person[data-card-id="${visit.cardId}"]`);
	await card.getByText('交付済にする', { exact: true }).click();
	await card.getByRole('button', { name: 'はい、交付済にする' }).click();
	await expect(person).toHaveAttribute('data-status', 'issued', { timeout: 2000 });
	await expect(boardPage.locator('[data-counter="waiting"]')).toHaveText(String(waitingBefore), { timeout: 2000 });
});

test('R-L02 R-S05 a capacity change on node A reaches the wall board on node B within a second', async ({ browser, request }) => {
	const { a, b } = nodes();
	const slotId = await todaySlot(3, 20);
	const admin = await apiLogin(request, a.url, 'admin');
	const issued = await request.post(`${a.url}/api/v1/staff/board-tokens`, { headers: { authorization: `Bearer ${admin}` }, data: { locationId: 3, label: '待合モニター' } });
	expect(issued.status()).toBe(201);
	const { token, id } = await issued.json();

	const screen = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
	await screen.goto(`${b.url}/board/3?token=${token}`);
	// The token leaves the address bar for a cookie.
	await expect(screen).toHaveURL(`${b.url}/board/3`);
	await expect(screen.getByRole('status')).toHaveAttribute('data-state', 'live');
	const remaining = screen.locator('[data-counter="remainingToday"]');
	const before = Number(await remaining.textContent());
	expect(before).toBeGreaterThanOrEqual(3);

	const sup = await apiLogin(request, a.url, 'supervisor');
	const t0 = Date.now();
	await setCapacity(request, a.url, sup, slotId, 7);
	await expect(remaining).toHaveText(String(before + 4), { timeout: 1000 });
	console.log(`board updated ${Date.now() - t0} ms after the PATCH was sent`);
	await screen.screenshot({ path: `${ARTIFACTS}/screenshots/board-1920.png` });

	// Another location's board is refused with this token.
	const other = await screen.goto(`${b.url}/board/1`);
	expect(other?.status()).toBe(401);

	// Revoked: the screen can no longer open the board.
	expect((await request.delete(`${a.url}/api/v1/staff/board-tokens/${id}`, { headers: { authorization: `Bearer ${admin}` } })).status()).toBe(204);
	const after = await screen.goto(`${b.url}/board/3`);
	expect(after?.status()).toBe(401);
});

test('R-L02 staff can open any board while signed in; the board looks right on a small screen too', async ({ page }) => {
	const { a } = nodes();
	await uiLogin(page, a.url, 'viewer');
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto(`${a.url}/board/1`);
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	for (const label of ['予約', '来庁', '交付済', '待ち', '未来庁', '残り枠（現在）', '残り枠（本日）']) await expect(page.getByText(label, { exact: true })).toBeVisible();
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/board-1280.png` });
});

test('R-S01 only an admin may issue board tokens', async ({ request }) => {
	const { a } = nodes();
	const sup = await apiLogin(request, a.url, 'supervisor');
	const r = await request.post(`${a.url}/api/v1/staff/board-tokens`, { headers: { authorization: `Bearer ${sup}` }, data: { locationId: 1, label: 'x' } });
	expect(r.status()).toBe(403);
	const admin = await apiLogin(request, a.url, 'admin');
	const bad = await request.post(`${a.url}/api/v1/staff/board-tokens`, { headers: { authorization: `Bearer ${admin}` }, data: { locationId: 1, label: '' } });
	expect(bad.status()).toBe(400);
	expect((await bad.json()).errors[0].field).toBe('label');
});
