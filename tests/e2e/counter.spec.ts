import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import pg from 'pg';
import { ARTIFACTS, e2eState } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

const shots = `${ARTIFACTS}/screenshots`;

/**
 * A visit booked today at location 2 for two demo cards, in a slot of its own a few minutes
 * ahead, written as the booking use case leaves it. Returns its QR check-in code.
 */
async function todayVisit(minutesAhead: number): Promise<{ reservationId: string; cardIds: string[]; code: string; bookingNumber: string }> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		await c.query('BEGIN');
		const start = new Date(Math.ceil((Date.now() + minutesAhead * 60_000) / 60_000) * 60_000);
		const date = new Date(start.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
		const { rows: [slot] } = await c.query(
			`INSERT INTO slots (location_id, date, starts_at, ends_at, capacity) VALUES (2, $1, $2, $3, 6)
			 ON CONFLICT (location_id, starts_at) DO UPDATE SET capacity = EXCLUDED.capacity RETURNING id, starts_at, ends_at`,
			[date, start, new Date(start.getTime() + 10 * 60_000)]
		);
		const { rows: cards } = await c.query(`SELECT id FROM card_records WHERE status = 'notice_sent' ORDER BY id DESC LIMIT 2 FOR UPDATE`);
		const bookingNumber = `${String(Date.now()).slice(-8, -4)}-${String(Date.now()).slice(-4)}`;
		const { rows: [r] } = await c.query(
			`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, created_by)
			 VALUES ($1, 2, (SELECT min(id) FROM purposes), 2, $2, $3, $4, 'staff', 'e2e') RETURNING id, checkin_code`,
			[bookingNumber, date, slot.starts_at, slot.ends_at]
		);
		await c.query(`INSERT INTO reservation_slots (reservation_id, slot_id) VALUES ($1, $2)`, [r.id, slot.id]);
		for (const [i, card] of cards.entries()) {
			await c.query(`INSERT INTO reservation_persons (reservation_id, card_record_id, position) VALUES ($1, $2, $3)`, [r.id, card.id, i + 1]);
			await c.query(`UPDATE card_records SET status = 'reserved', box_position = $2 WHERE id = $1`, [card.id, `B-${i + 7}`]);
		}
		await c.query(`UPDATE slots SET booked = booked + 2, version = version + 1 WHERE id = $1`, [slot.id]);
		await c.query('COMMIT');
		return { reservationId: String(r.id), cardIds: cards.map((x) => String(x.id)), code: r.checkin_code, bookingNumber };
	} finally {
		await c.end();
	}
}

const counter = (page: Page, key: string) => page.locator(`[data-counter="${key}"]`);

test('R-S15 R-L02 R-L04 R-S14 a QR code typed into the focused field checks the visit in on node A; the wall board on node B counts it; 交付済 with confirmation and undo', async ({ browser }) => {
	const { a, b } = nodes();
	const visit = await todayVisit(3);

	const board = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
	await uiLogin(board, b.url, 'viewer');
	await board.goto(`${b.url}/board/2`);
	await expect(board.getByRole('status')).toHaveAttribute('data-state', 'live');
	const checkedBefore = Number(await counter(board, 'checkedIn').textContent());
	const waitingBefore = Number(await counter(board, 'waiting').textContent());

	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'clerk');
	await page.goto(`${a.url}/staff/checkin`);
	const field = page.getByRole('textbox', { name: 'QRコード' });
	await expect(field).toBeFocused();
	// What a USB reader does: type the code into whatever has focus, then Enter.
	await page.keyboard.type(visit.code, { delay: 5 });
	await page.keyboard.press('Enter');
	await expect(page.getByRole('status').filter({ hasText: '来庁受付しました' })).toBeVisible();
	await expect(page.locator('[data-field="bookingNumber"]')).toHaveText(visit.bookingNumber);
	const first = page.locator(`li.person[data-card-id="${visit.cardIds[0]}"]`);
	await expect(first).toHaveAttribute('data-status', 'checked_in');
	await expect(first).toContainText('B-7');
	await expect(field).toBeFocused();

	await expect(counter(board, 'checkedIn')).toHaveText(String(checkedBefore + 2), { timeout: 2000 });
	await expect(counter(board, 'waiting')).toHaveText(String(waitingBefore + 2), { timeout: 2000 });

	// A second counter on node B has the same household open (R-L03).
	const other = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(other, b.url, 'clerk');
	await other.goto(`${b.url}/staff/checkin?r=${visit.reservationId}`);
	const otherFirst = other.locator(`li.person[data-card-id="${visit.cardIds[0]}"]`);
	await expect(otherFirst).toHaveAttribute('data-status', 'checked_in');
	await expect(other.locator('.indicator')).toHaveAttribute('data-state', 'live');

	// 交付済 asks first; then it can be undone for a few minutes
	await first.getByText('交付済にする', { exact: true }).click();
	await first.getByRole('button', { name: 'はい、交付済にする' }).click();
	await expect(first).toHaveAttribute('data-status', 'issued');
	await expect(otherFirst).toHaveAttribute('data-status', 'issued', { timeout: 2000 });
	await expect(counter(board, 'waiting')).toHaveText(String(waitingBefore + 1), { timeout: 2000 });
	await first.getByRole('button', { name: '交付済を取り消す' }).click();
	await expect(first).toHaveAttribute('data-status', 'checked_in');
	await expect(counter(board, 'waiting')).toHaveText(String(waitingBefore + 2), { timeout: 2000 });

	// 不備・再手続 needs a note; a staff note is kept per person
	const second = page.locator(`li.person[data-card-id="${visit.cardIds[1]}"]`);
	await second.getByText('不備・再手続', { exact: true }).first().click();
	await second.getByLabel('不備の内容（必須）').fill('本人確認書類が1点不足');
	await second.getByRole('button', { name: '不備・再手続として記録' }).click();
	await expect(second).toHaveAttribute('data-status', 'needs_redo');
	await expect(second).toContainText('本人確認書類が1点不足');
	await first.getByLabel('職員メモ（市民には表示されません）').fill('暗証番号は本人が入力済み');
	await first.getByRole('button', { name: 'メモを保存' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'メモを保存しました' })).toBeVisible();
	// The next scan arrives while a button has focus: its Enter must go to the scan field, not press the button.
	await first.getByRole('button', { name: 'メモを保存' }).focus();
	await page.keyboard.type(visit.code, { delay: 5 });
	await page.keyboard.press('Enter');
	await expect(page.getByRole('status').filter({ hasText: 'すでに来庁受付済み' })).toBeVisible();
	await page.reload();
	await expect(page.locator(`li.person[data-card-id="${visit.cardIds[0]}"]`).getByLabel('職員メモ（市民には表示されません）')).toHaveValue('暗証番号は本人が入力済み');

	await page.screenshot({ path: `${shots}/staff-checkin-desktop.png`, fullPage: true });
	await board.screenshot({ path: `${shots}/board-1920.png` });
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);

	// A scan on another day's booking, or garbage, is a readable refusal next to the field.
	await field.fill('hello');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('alert')).toContainText('予約のQRコードではありません');
});

test('R-S15 R-S04 R-C01 counter, search, booking and slot pages at phone and desktop width, Japanese and English', async ({ browser }) => {
	const { a } = nodes();
	const visit = await todayVisit(25);
	for (const [name, viewport] of [
		['phone', { width: 375, height: 812 }],
		['desktop', { width: 1280, height: 900 }]
	] as const) {
		const page = await (await browser.newContext({ viewport })).newPage();
		await uiLogin(page, a.url, 'supervisor');
		const pages: [string, string][] = [
			['checkin', `/staff/checkin?r=${visit.reservationId}&q=${visit.bookingNumber}`],
			['reservations', `/staff/reservations?q=${visit.bookingNumber}`],
			['reservation', `/staff/reservations/${visit.reservationId}`],
			['slots', `/staff/slots?locationId=2`],
			['book', `/staff/reservations/new?locationId=2`],
			['board', `/board/2`]
		];
		for (const [label, path] of pages) {
			await page.goto(`${a.url}${path}`);
			await page.screenshot({ path: `${shots}/counter-${label}-${name}.png`, fullPage: true });
			expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label} ${name}`).toBeLessThanOrEqual(viewport.width);
		}
		if (name === 'desktop') {
			// R-L02 the wall board fills a 1920×1080 screen, and a three-digit count fits its tile
			await page.setViewportSize({ width: 1920, height: 1080 });
			await page.goto(`${a.url}/board/2`);
			await page.evaluate(() => document.querySelectorAll('[data-counter]').forEach((e) => (e.textContent = '888')));
			const fit = await page.evaluate(() =>
				[...document.querySelectorAll<HTMLElement>('[data-counter]')].map((e) => ({ key: e.dataset.counter, fits: e.scrollWidth <= e.parentElement!.clientWidth, px: parseFloat(getComputedStyle(e).fontSize) }))
			);
			for (const f of fit) expect(f.fits, `${f.key} ${f.px}px`).toBe(true);
			for (const f of fit) expect(f.px, `${f.key} readable from across a room`).toBeGreaterThanOrEqual(96);
			const bottom = await page.evaluate(() => document.querySelector('.tiles')!.getBoundingClientRect().bottom);
			expect(bottom).toBeGreaterThan(1080 * 0.85);
			await page.screenshot({ path: `${shots}/counter-board-888-1920.png` });
			await page.setViewportSize(viewport);
			await page.goto(`${a.url}/staff/reservations?q=${visit.bookingNumber}&lang=en`);
			await expect(page.getByRole('heading', { name: 'Find a booking' })).toBeVisible();
			await page.screenshot({ path: `${shots}/counter-reservations-en.png`, fullPage: true });
			await page.goto(`${a.url}/staff/checkin?r=${visit.reservationId}`);
			await expect(page.getByRole('heading', { name: 'Check-in', exact: true })).toBeVisible();
			await page.screenshot({ path: `${shots}/counter-checkin-en.png`, fullPage: true });
			// R-S04 move, then cancel, on screen (the API existed; now a clerk can do it without one)
			await page.goto(`${a.url}/staff/reservations/${visit.reservationId}?lang=ja`);
			const free = page.locator('label.slot:not(:has(input:disabled))').last();
			const newTime = (await free.locator('.t').textContent())!;
			await free.locator('input').check();
			await page.getByRole('button', { name: 'この時間に変更' }).click();
			await expect(page.getByRole('status')).toContainText('予約を変更しました');
			await expect(page.locator('.facts')).toContainText(newTime.slice(0, 5));
			await page.getByRole('button', { name: '予約を取り消す' }).click();
			// the confirmation box is required
			await expect(page.getByRole('heading', { name: '予約の取消' })).toBeVisible();
			await page.getByLabel('取り消すと元に戻せません。市民に取消を伝えたことを確認しました').check();
			await page.getByRole('button', { name: '予約を取り消す' }).click();
			await expect(page.getByRole('status')).toContainText('予約を取り消しました');
			await expect(page.locator('h1')).toContainText('取消済み');
			await page.goto(`${a.url}/staff/slots?locationId=2&lang=ja`);
			const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
			expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
		}
	}
});
