/**
 * What a new clerk and a citizen found on every page (R-C01, R-C09, R-C10, R-C15, R-S04, R-S06, R-S15):
 * each test here failed before its fix.
 */
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, JWT_SECRET, e2eState } from './state.ts';
import { manageToken } from '../../src/lib/server/citizen/tokens.ts';
import { apiLogin, nodes, openDay, staffSlots, uiLogin } from './helpers.ts';
import { freeCards, linkFor, sql } from './citizen.ts';
import { warekiYear } from '../../src/lib/domain/wareki.ts';

const shots = `${ARTIFACTS}/screenshots`;

/** A visit booked today at location 2 for one demo card, a few minutes ahead; returns its QR code. */
async function todayVisit(minutesAhead: number): Promise<{ reservationId: string; code: string; bookingNumber: string }> {
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
		const { rows: [card] } = await c.query(`SELECT id FROM card_records WHERE status = 'notice_sent' ORDER BY id DESC LIMIT 1 FOR UPDATE`);
		const bookingNumber = `${String(Date.now()).slice(-8, -4)}-${String(Date.now()).slice(-4)}`;
		const { rows: [r] } = await c.query(
			`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, created_by)
			 VALUES ($1, 2, (SELECT min(id) FROM purposes), 1, $2, $3, $4, 'staff', 'e2e') RETURNING id, checkin_code`,
			[bookingNumber, date, slot.starts_at, slot.ends_at]
		);
		await c.query(`INSERT INTO reservation_slots (reservation_id, slot_id) VALUES ($1, $2)`, [r.id, slot.id]);
		await c.query(`INSERT INTO reservation_persons (reservation_id, card_record_id, position) VALUES ($1, $2, 1)`, [r.id, card.id]);
		await c.query(`UPDATE card_records SET status = 'reserved' WHERE id = $1`, [card.id]);
		await c.query(`UPDATE slots SET booked = booked + 1, version = version + 1 WHERE id = $1`, [slot.id]);
		await c.query('COMMIT');
		return { reservationId: String(r.id), code: r.checkin_code, bookingNumber };
	} finally {
		await c.end();
	}
}

test('R-S15 the scan field is cleared and refocused after every scan, and a scan typed while the page loads keeps its first character', async ({ browser }) => {
	const { a } = nodes();
	const one = await todayVisit(4);
	await new Promise((r) => setTimeout(r, 5));
	const two = await todayVisit(5);
	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'clerk');
	// the reader types the moment the page is there, before its scripts and styles have arrived
	// (they are held back here, as on a slow network) and before the browser applied autofocus
	const slow = async (route: import('@playwright/test').Route) => {
		await new Promise((r) => setTimeout(r, 1500));
		await route.continue().catch(() => undefined); // the page may have moved on meanwhile
	};
	await page.route('**/_app/immutable/**', slow);
	await page.goto(`${a.url}/staff/checkin`, { waitUntil: 'commit' });
	await page.locator('#code').waitFor({ state: 'attached' });
	await page.keyboard.type(one.code);
	await page.keyboard.press('Enter');
	await expect(page.locator('[data-field="bookingNumber"]')).toHaveText(one.bookingNumber, { timeout: 15_000 });
	await page.unrouteAll({ behavior: 'wait' });
	await expect(page.locator('[data-field="bookingNumber"]')).toHaveText(one.bookingNumber);
	await expect(page.getByRole('status').filter({ hasText: '来庁受付しました' })).toBeVisible();
	const field = page.getByRole('textbox', { name: 'QRコード' });
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();
	// the next household's scan is not appended to the last one
	await page.keyboard.type(two.code);
	await page.keyboard.press('Enter');
	await expect(page.locator('[data-field="bookingNumber"]')).toHaveText(two.bookingNumber);
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();
	// a refused scan clears the field too, so the next one reads alone
	await page.keyboard.type('NOT-A-CODE');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('alert')).toContainText('予約のQRコードではありません');
	await expect(field).toHaveValue('');
	await expect(field).toBeFocused();
	await page.keyboard.type(one.code);
	await page.keyboard.press('Enter');
	await expect(page.locator('[data-field="bookingNumber"]')).toHaveText(one.bookingNumber);
	await expect(page.getByRole('status').filter({ hasText: 'すでに来庁受付済み' })).toBeVisible();
	await page.screenshot({ path: `${shots}/ux-counter.png`, fullPage: true });
});

/** A citizen with a session, persons checked at `locationId`, holding the first free time of `date`. */
async function holdATime(page: Page, base: string, email: string, locationId: number, date: string, cardOffset: number, lang = '') {
	await page.request.post(`${base}/api/v1/citizen/links`, { data: { email } });
	await page.goto(`${base}/start/${await linkFor(email)}${lang}`);
	await page.locator('form button[type="submit"]').first().click();
	await expect(page).toHaveURL(/\/book/);
	const [p] = await freeCards(1, cardOffset);
	await page.locator(`input[name="locationId"][value="${locationId}"]`).check();
	await page.locator('#noticeId0').fill(p.noticeId);
	await page.locator('#birthMonthDay0').fill(p.monthDay);
	await page.locator('form[action="?/verify"] button[type="submit"]').click();
	await expect(page).toHaveURL(new RegExp(`/locations/${locationId}`));
	await page.goto(`${base}/locations/${locationId}/day/${date}`);
	await page.locator('label.time:not(.disabled)').first().click();
	await page.locator('form[action="?/hold"] button[type="submit"]').click();
	await expect(page).toHaveURL(/\/reserve\/[0-9a-f-]{36}$/);
	return page.url().split('/reserve/')[1];
}

test('R-C09 R-C15 Back after confirming shows the booking, not a refusal; after an expired hold the persons are kept', async ({ browser, request }) => {
	const { b } = nodes();
	const date = await openDay(request, b.url, 1, 6);
	const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
	const booked = await holdATime(page, b.url, 'ux-back@example.jp', 1, date, 200);
	await page.getByLabel('注意事項を読み、確認しました').check();
	await page.getByRole('button', { name: '予約を確定する' }).click();
	await expect(page).toHaveURL(/\/manage\/[0-9a-f-]{36}\.[\w-]{32}\?done=1$/);
	const manage = new URL(page.url()).pathname;
	await page.goBack();
	await expect(page).toHaveURL(new RegExp(`${manage}$`));
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('予約内容の確認・変更');
	await expect(page.getByText('お取り置きの時間が過ぎたか')).toHaveCount(0);
	// the same when the page is loaded afresh, or without scripts: it says the booking is made, with its link
	await page.goto(`${b.url}/reserve/${booked}`);
	await expect(page).toHaveURL(new RegExp(`${manage}$`));
	const noJs = await (await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() })).newPage();
	await noJs.goto(`${b.url}/reserve/${booked}`);
	await expect(noJs.getByRole('status')).toContainText('この予約は確定しています');
	await expect(noJs.getByRole('link', { name: '予約内容を見る' })).toHaveAttribute('href', manage);
	await expect(noJs.getByRole('alert')).toHaveCount(0);

	// an expired hold: its page leads back to its day, where the checked persons are still chosen
	const holdId = await holdATime(page, b.url, 'ux-expired@example.jp', 1, date, 205);
	await sql(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
	await page.reload();
	await expect(page.getByRole('alert')).toContainText('入力内容は保存されています');
	await page.getByRole('link', { name: '日時の選択に戻る' }).click();
	await expect(page).toHaveURL(new RegExp(`/locations/1/day/${date}$`));
	await expect(page.getByText('1人で予約')).toBeVisible();
	await expect(page.locator('label.time:not(.disabled)').first()).toBeVisible();
	// and the persons form says who is already checked, with a way on without typing again
	await page.goto(`${b.url}/book`);
	await expect(page.locator('[data-kept="1"]')).toContainText('1人');
	await page.getByRole('link', { name: 'この内容で日時を選ぶ' }).click();
	await expect(page).toHaveURL(/\/locations\/1$/);
});

test('R-S06 R-S05 R-S12 a supervisor closes a whole day in one form; the booking left on it is listed with the bulk mail and the move, also when the day is shown again', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 3, 10);
	const token = await apiLogin(request, a.url, 'supervisor');
	const slots = await staffSlots(request, a.url, token, 3, date);
	const [p] = await freeCards(1, 215);
	const made = await request.post(`${a.url}/api/v1/staff/reservations`, {
		headers: { authorization: `Bearer ${token}` },
		data: { slotId: slots[1].id, persons: [{ noticeId: p.noticeId, birthDate: p.birthDate }], email: 'closed-day@example.jp' }
	});
	expect(made.status(), await made.text()).toBe(201);
	const booking = await made.json();

	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'supervisor');
	// a citizen watching that location's calendar on the other node
	const citizen = await (await browser.newContext()).newPage();
	await citizen.goto(`${b.url}/locations/3/day/${date}`);
	await expect(citizen.locator('label.time, li.time').first()).toBeVisible();

	await page.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
	await page.locator('summary', { hasText: 'この日・時間帯の受付を停止（監督者）' }).click();
	await page.getByLabel('この日すべて').check();
	await page.getByLabel('理由（必須）', { exact: true }).fill('庁舎の停電');
	await page.getByRole('button', { name: '受付を停止する' }).click();
	// a day with a booking is not closed by accident: the supervisor confirms
	await expect(page.getByRole('alert')).toContainText('予約済み');
	await page.getByLabel(/予約がある枠も閉じる/).check();
	await page.getByRole('button', { name: '受付を停止する' }).click();
	await expect(page.getByRole('status').filter({ hasText: '枠の受付を停止しました' })).toContainText(`${slots.length}枠`);
	const stranded = page.locator('[data-stranded]');
	await expect(stranded).toContainText(booking.bookingNumber);
	await expect(page.locator('tr[data-slot-id] [data-field="capacity"]').first()).toHaveText('0');
	await page.screenshot({ path: `${shots}/ux-close-day.png`, fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	// what sticks out on the right, if anything (a failure names it)
	const wide = await page.evaluate(() => {
		const w = document.scrollingElement!.clientWidth;
		if (document.scrollingElement!.scrollWidth <= w) return [];
		return [...document.querySelectorAll('body *')]
			.filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll, [data-scroll], .table-wrap'))
			.slice(0, 5)
			.map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().right)}px: ${(e.textContent ?? '').trim().slice(0, 40)}`);
	});
	expect(wide, 'elements wider than a 390 px phone').toEqual([]);
	await page.screenshot({ path: `${shots}/ux-close-day-phone.png`, fullPage: true });
	await page.setViewportSize({ width: 1280, height: 900 });
	// live to every screen: the citizen's day on node B offers nothing any more
	await expect(citizen.locator('.empty')).toBeVisible({ timeout: 5000 });
	const avail = await (await request.get(`${b.url}/api/v1/locations/3/availability?from=${date}&to=${date}`)).json();
	expect(avail.days[0].level).not.toBe('many');
	// audited once, as an override naming the booking
	const [row] = await sql<{ action: string; detail: { affectedReservationIds: string[]; reason: string } }>(
		`SELECT action, detail FROM audit_log WHERE target_type = 'location' AND target_id = '3' AND detail->>'date' = $1 ORDER BY id DESC LIMIT 1`,
		[date]
	);
	expect(row.action).toBe('slot.capacity_range_overridden');
	expect(row.detail.affectedReservationIds.map(String)).toContain(String(booking.id));

	// shown again later: still flagged, with the move and the bulk mail for that day and place
	await page.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
	await expect(stranded).toContainText(booking.bookingNumber);
	await expect(stranded.getByRole('link', { name: `日時を変更（${booking.bookingNumber}）` })).toHaveAttribute('href', `/staff/reservations/${booking.id}`);
	await stranded.getByRole('link', { name: 'この日・この交付場所の予約へ一斉メール' }).click();
	await expect(page.locator('select[name="locationId"]')).toHaveValue('3');
	await expect(page.locator('input[name="from"]')).toHaveValue(date);
	await expect(page.locator('input[name="to"]')).toHaveValue(date);
	await page.getByLabel('件名').fill('閉庁のお知らせ');
	await page.getByLabel('本文').fill('{{date}} は閉庁となりました。');
	await page.getByRole('button', { name: '見本と件数を確認' }).click();
	await expect(page.getByRole('status').filter({ hasText: '送信対象' })).toContainText('1 件');
});

test('R-C01 every page has a title of its own: the staff top after login, 404 and 403 (axe document-title)', async ({ browser }) => {
	const { a } = nodes();
	const page = await (await browser.newContext()).newPage();
	const titled = async (expected: RegExp) => {
		await expect(page).toHaveTitle(expected);
		const r = await new AxeBuilder({ page }).withRules(['document-title']).analyze();
		expect(r.violations.map((v) => v.id)).toEqual([]);
	};
	await uiLogin(page, a.url, 'clerk');
	await titled(/^職員トップ — /);
	await page.goto(`${a.url}/staff`);
	await titled(/^職員トップ — /);
	await page.goto(`${a.url}/no-such-page`);
	await titled(/^ページが見つかりません — /);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('ページが見つかりません');
	await page.goto(`${a.url}/staff/mail/bulk`);
	await titled(/^この画面を利用する権限がありません — /);
	await expect(page.getByRole('link', { name: '職員トップへ' })).toBeVisible();
	await page.goto(`${a.url}/no-such-page?lang=en`);
	await titled(/^Page not found — /);
});

test('R-S04 和暦: the phone booking takes 昭和60年1月2日-style birth dates (the import’s parser); the booking, counter and card pages show 和暦 beside the western date', async ({ browser, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 2, 11);
	const token = await apiLogin(request, a.url, 'clerk');
	const [slot] = await staffSlots(request, a.url, token, 2, date);
	const [p] = await freeCards(1, 225);
	const [, m, d] = p.birthDate.split('-').map(Number);
	const era = warekiYear(p.birthDate);
	const typed = `${era.replace(/年$/, '')}年${m}月${d}日`;
	expect(typed).toMatch(/^(昭和|平成|令和)/);

	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'clerk');
	await page.goto(`${a.url}/staff/reservations/new?locationId=2&date=${date}`);
	await page.locator(`tr[data-slot-id="${slot.id}"]`).getByRole('radio').check();
	await page.getByLabel('交付通知書番号').first().fill(p.noticeId);
	// a wrong 和暦 date is refused with the import's message, nothing written
	await page.getByLabel('生年月日').first().fill('平成31年5月1日');
	await page.getByRole('button', { name: '予約する' }).click();
	await expect(page.locator('.field-error').first()).toContainText('平成の期間外');
	await page.getByLabel('生年月日').first().fill(typed);
	await page.getByRole('button', { name: '予約する' }).click();
	const done = page.getByRole('status').filter({ hasText: '予約しました' });
	await expect(done).toContainText(/予約番号\s*\d{4}-\d{4}/);
	const [row] = await sql<{ id: string }>(
		`SELECT r.id FROM reservations r JOIN reservation_persons rp ON rp.reservation_id = r.id JOIN card_records c ON c.id = rp.card_record_id
		  WHERE c.notice_id = $1 AND c.birth_date = $2 AND r.status = 'active'`,
		[p.noticeId, p.birthDate]
	);
	expect(row).toBeTruthy();
	const shown = `${p.birthDate}（${era}）`;
	await page.goto(`${a.url}/staff/reservations/${row.id}`);
	await expect(page.locator('[data-field="birthDate"]').first()).toHaveText(shown);
	await page.goto(`${a.url}/staff/checkin?r=${row.id}`);
	await expect(page.locator('[data-field="birthDate"]').first()).toHaveText(shown);
	const [card] = await sql<{ id: string }>(`SELECT id FROM card_records WHERE notice_id = $1 AND birth_date = $2`, [p.noticeId, p.birthDate]);
	await page.goto(`${a.url}/staff/cards/${card.id}`);
	await expect(page.locator('[data-field="birthDate"]')).toHaveText(shown);
});

test('R-C16 R-C01 English pages: the English address on the day, confirm and manage pages, no full-width punctuation, calendar labels never broken inside a word', async ({ browser, request }) => {
	const { b } = nodes();
	const date = await openDay(request, b.url, 1, 8);
	const page = await (await browser.newContext({ viewport: { width: 375, height: 812 } })).newPage();
	const FULL_WIDTH = /[（）、。：「」〜]/;
	const englishText = async () => (await page.locator('main').innerText()).replace(/[^\n]*＊＊[^\n]*/g, ''); // masked names are data, not text
	await page.goto(`${b.url}/locations/1/day/${date}?lang=en`);
	await expect(page.locator('[data-address]')).toHaveText('1F Main Building, 1-1-1 Chuo-machi');
	expect(await englishText()).not.toMatch(FULL_WIDTH);

	await holdATime(page, b.url, 'ux-english@example.jp', 1, date, 230, '?lang=en');
	await expect(page.locator('main')).toContainText('1F Main Building, 1-1-1 Chuo-machi');
	expect(await englishText()).not.toMatch(FULL_WIDTH);
	await page.getByRole('checkbox').check();
	await page.locator('form[action="?/confirm"] button[type="submit"]').click();
	await expect(page).toHaveURL(/\/manage\//);
	await expect(page.locator('main')).toContainText('1F Main Building, 1-1-1 Chuo-machi');
	await expect(page.locator('main')).not.toContainText('中央町1-1-1');
	expect(await englishText()).not.toMatch(FULL_WIDTH);
	await page.screenshot({ path: `${shots}/ux-manage-en-phone.png`, fullPage: true });

	// the month calendar on a phone: a label wraps between words, never inside one
	for (const month of [date.slice(0, 7), new Date(Date.parse(`${date.slice(0, 7)}-01T00:00:00Z`) + 40 * 86400_000).toISOString().slice(0, 7)]) {
		await page.goto(`${b.url}/locations/1?month=${month}&lang=en`);
		await expect(page.locator('[data-address]')).toHaveText('1F Main Building, 1-1-1 Chuo-machi');
		const broken = await page.evaluate(() => {
			const out: string[] = [];
			for (const el of document.querySelectorAll('.calendar .note, .calendar .txt')) {
				const node = el.firstChild;
				if (!node || node.nodeType !== Node.TEXT_NODE) continue;
				const text = node.textContent ?? '';
				for (const m of text.matchAll(/\S+/g)) {
					const r = document.createRange();
					r.setStart(node, m.index!);
					r.setEnd(node, m.index! + m[0].length);
					const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
					if (lines.size > 1) out.push(m[0]);
				}
			}
			return out;
		});
		expect(broken, month).toEqual([]);
	}
});

test('R-C01 at 200 % zoom the day page’s 「△ 残りわずか」 tiles fit: no sideways scrolling (640 px viewport, 2 device pixels per CSS pixel)', async ({ browser, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 2, 12);
	const token = await apiLogin(request, a.url, 'supervisor');
	const r = await request.post(`${a.url}/api/v1/staff/slots/capacity-range`, {
		headers: { authorization: `Bearer ${token}` },
		data: { locationId: 2, date, start: '00:00', end: '23:59', capacity: 2, reason: 'E2E 残りわずか' }
	});
	expect(r.status(), await r.text()).toBe(200);
	for (const lang of ['ja', 'en']) {
		// a 1280 px window at 200 %: 640 CSS pixels, each drawn with 2 device pixels
		const page = await (await browser.newContext({ viewport: { width: 640, height: 700 }, deviceScaleFactor: 2 })).newPage();
		await page.goto(`${a.url}/locations/2/day/${date}?lang=${lang}`);
		await expect(page.locator('[data-level="few"]').first()).toBeVisible();
		const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
		expect(scrollWidth, lang).toBeLessThanOrEqual(clientWidth);
		// every badge stays inside its tile
		const out = await page.evaluate(() =>
			[...document.querySelectorAll('.time')].filter((t) => {
				const b = t.querySelector('.badge')?.getBoundingClientRect();
				const r = t.getBoundingClientRect();
				return b && (b.right > r.right + 0.5 || b.left < r.left - 0.5);
			}).length
		);
		expect(out, lang).toBe(0);
		await page.screenshot({ path: `${shots}/ux-day-zoom200-${lang}.png`, fullPage: true });
	}
});

test('R-S04 R-C09 a phone booking keeps the caller’s number (validated, staff pages only, never to the citizen, never logged); the manage page prints booking and QR on one A4 and one A5 page', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 2, 13);
	const token = await apiLogin(request, a.url, 'clerk');
	const [, slot] = await staffSlots(request, a.url, token, 2, date);
	const [p] = await freeCards(1, 235);
	const tail = String(Date.now()).slice(-4);
	const auth = { authorization: `Bearer ${token}` };
	const persons = [{ noticeId: p.noticeId, birthDate: p.birthDate }];

	const bad = await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth, data: { slotId: slot.id, persons, phone: '12-34' } });
	expect([400, 422]).toContain(bad.status());
	expect(bad.headers()['content-type']).toContain('application/problem+json');
	expect(await bad.text()).toContain('電話番号');
	expect(await sql(`SELECT 1 FROM reservation_persons rp JOIN card_records c ON c.id = rp.card_record_id WHERE c.notice_id = $1 AND c.birth_date = $2 AND rp.active`, [p.noticeId, p.birthDate])).toHaveLength(0);

	// full-width digits and dashes as a clerk may type them
	const made = await request.post(`${a.url}/api/v1/staff/reservations`, { headers: auth, data: { slotId: slot.id, persons, phone: `０９０－８８７７－${tail}` } });
	expect(made.status(), await made.text()).toBe(201);
	const r = await made.json();
	const phone = `090-8877-${tail}`;
	const [row] = await sql<{ phone: string; public_ref: string; token_version: number }>(`SELECT phone, public_ref, token_version FROM reservations WHERE id = $1`, [r.id]);
	expect(row.phone).toBe(phone);

	const staff = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(staff, a.url, 'clerk');
	await staff.goto(`${a.url}/staff/reservations/${r.id}`);
	await expect(staff.locator('[data-field="phone"]')).toHaveText(phone);
	await staff.goto(`${a.url}/staff/checkin?r=${r.id}`);
	await expect(staff.locator('[data-field="phone"]')).toHaveText(phone);
	await staff.setViewportSize({ width: 390, height: 844 });
	await staff.screenshot({ path: `${shots}/ux-counter-phone.png`, fullPage: true });
	await staff.setViewportSize({ width: 1280, height: 900 });
	// the form: a wrong number is refused beside the field
	await staff.goto(`${a.url}/staff/reservations/new?locationId=2&date=${date}`);
	await staff.locator(`tr[data-slot-id="${slot.id}"]`).getByRole('radio').check();
	await staff.getByLabel('交付通知書番号').first().fill(p.noticeId);
	await staff.getByLabel('生年月日').first().fill(p.birthDate);
	await staff.getByLabel(/電話番号/).fill('0120');
	await staff.getByRole('button', { name: '予約する' }).click();
	await expect(staff.locator('#phone-error')).toContainText('電話番号は数字10〜15桁');

	// the citizen's side never shows it
	const manage = manageToken(JWT_SECRET, row.public_ref, row.token_version);
	const api = await request.get(`${b.url}/api/v1/citizen/reservations/${manage}`);
	expect(api.status()).toBe(200);
	expect(await api.text()).not.toContain(tail);
	const citizen = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
	await citizen.goto(`${b.url}/manage/${manage}`);
	await expect(citizen.locator('[data-qr-fallback]')).toHaveText(r.bookingNumber);
	expect(await citizen.content()).not.toContain(tail);

	// printed: the booking and its QR on one page
	await citizen.emulateMedia({ media: 'print' });
	await expect(citizen.locator('header.site')).toBeHidden();
	await expect(citizen.getByRole('img', { name: '受付用QRコード' })).toBeVisible();
	await citizen.screenshot({ path: `${shots}/ux-manage-print.png`, fullPage: true });
	for (const format of ['A4', 'A5'] as const) {
		const pdf = (await citizen.pdf({ format, printBackground: true, path: `${shots}/ux-manage-print-${format}.pdf` })).toString('latin1');
		expect((pdf.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length, format).toBe(1);
	}

	// never logged, on either node
	for (const name of ['a', 'b']) {
		const log = readFileSync(`${ARTIFACTS}/node-${name}.log`, 'utf8');
		expect(log).not.toContain(`8877-${tail}`);
		expect(log).not.toContain(`８８７７`);
	}
});
