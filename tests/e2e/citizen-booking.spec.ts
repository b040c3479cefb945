import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, openDay, uiLogin } from './helpers.ts';
import { freeCards, linkFor } from './citizen.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];
async function noAxeViolations(page: Page) {
	const r = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
	expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** From the email address on / to the booking form, as a citizen does it (R-C02). */
async function startByEmail(page: Page, base: string, email: string) {
	await page.goto(`${base}/`);
	await expect(page).toHaveTitle(/マイナンバーカード交付の予約/);
	await page.getByLabel('メールアドレス').fill(email);
	await page.getByRole('button', { name: '手続き用のリンクを送る' }).click();
	await expect(page.getByRole('heading', { name: 'メールを確認してください' })).toBeFocused();
	await page.goto(`${base}/start/${await linkFor(email)}`);
	await page.getByRole('button', { name: '予約手続きを始める' }).click();
	await expect(page).toHaveURL(/\/book$/);
}

test('R-C02 R-C03 R-C07 R-C05 R-C15 R-C08 R-C01 a citizen starts by email, is verified first, sees only times that fit, holds, acknowledges and books; staff see it live', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, b.url, 2, 4);
	const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
	const citizen = await phone.newPage();
	await startByEmail(citizen, b.url, 'household@example.jp');
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-book-phone.png`, fullPage: true });

	// who is coming, verified before anything is held; a wrong birthday marks everyone, names nobody
	await citizen.getByRole('radio', { name: /北支所/ }).check();
	await citizen.getByRole('link', { name: /同行するご家族を追加/ }).click();
	await expect(citizen.getByRole('group', { name: '2人目' })).toBeVisible();
	const [p1, p2] = await freeCards(2, 40);
	await citizen.locator('#noticeId0').fill(p1.noticeId);
	await citizen.locator('#birthMonthDay0').fill(p1.monthDay.replace('-', ''));
	await citizen.locator('#noticeId1').fill(p2.noticeId);
	await citizen.locator('#birthMonthDay1').fill(p2.monthDay === '01-01' ? '01-02' : '01-01');
	await citizen.getByRole('button', { name: '確認して日時を選ぶ' }).click();
	const alert = citizen.getByRole('alert');
	await expect(alert).toContainText('交付通知書番号または生年月日');
	await expect(alert).toBeFocused();
	for (const id of ['#noticeId0', '#birthMonthDay0', '#noticeId1', '#birthMonthDay1']) await expect(citizen.locator(id)).toHaveAttribute('aria-invalid', 'true');
	await noAxeViolations(citizen);
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-book-error-phone.png`, fullPage: true });
	await citizen.locator('#birthMonthDay1').fill(p2.monthDay);
	await citizen.getByRole('button', { name: '確認して日時を選ぶ' }).click();
	await expect(citizen).toHaveURL(/\/locations\/2\?month=/);
	await expect(citizen.getByText('2人で予約')).toBeVisible();
	await noAxeViolations(citizen);

	// the calendar: the chosen day by its accessible name, then the day's times
	await citizen.goto(`${b.url}/locations/2?month=${date.slice(0, 7)}`);
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-calendar-phone.png`, fullPage: true });
	await citizen.locator(`a[data-date="${date}"]`).click();
	await expect(citizen).toHaveURL(new RegExp(`/locations/2/day/${date}$`));
	await expect(citizen.getByRole('status')).toHaveAttribute('data-state', 'live');
	const first = citizen.locator('label.time:not(.disabled)').first();
	const slotId = await first.getAttribute('data-slot-id');
	await noAxeViolations(citizen);
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-day-phone.png`, fullPage: true });
	// no horizontal scrolling on a phone
	expect(await citizen.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

	const staff = await (await browser.newContext()).newPage();
	await uiLogin(staff, a.url, 'viewer');
	await staff.goto(`${a.url}/staff/slots?locationId=2&date=${date}`);
	await expect(staff.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	const held = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="held"]`);
	const booked = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="booked"]`);
	await expect(held).toHaveText('0');

	await first.click();
	await citizen.getByRole('button', { name: 'この時間で進む' }).click();
	await expect(citizen).toHaveURL(/\/reserve\/[0-9a-f-]{36}$/);
	// exactly as many places as verified persons, counted as taken at once (R-C15)
	await expect(held).toHaveText('2', { timeout: 2000 });
	await expect(citizen.getByRole('heading', { name: '予約内容の確認' })).toBeFocused();
	await expect(citizen.getByText(/残り \d+分/)).toBeVisible();
	await expect(citizen.getByRole('heading', { name: '注意事項' })).toBeVisible();
	await noAxeViolations(citizen);
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-reserve-phone.png`, fullPage: true });

	// the confirm button does nothing until the precautions are acknowledged (R-C08)
	await citizen.getByRole('button', { name: '予約を確定する' }).click();
	await expect(citizen).toHaveURL(/\/reserve\//);
	await citizen.getByLabel('注意事項を読み、確認しました').check();
	await citizen.getByRole('button', { name: '予約を確定する' }).click();
	await expect(citizen).toHaveURL(/\/manage\/[0-9a-f-]{36}\.[\w-]{32}\?done=1$/);
	await expect(booked).toHaveText('2', { timeout: 2000 });
	await expect(held).toHaveText('0');
});

test('R-C15 giving the held time back releases it at once; the hold page then says so', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, b.url, 3, 4);
	const citizen = await (await browser.newContext()).newPage();
	await startByEmail(citizen, b.url, 'giveback@example.jp');
	const [p] = await freeCards(1, 60);
	await citizen.getByRole('radio', { name: /南支所/ }).check();
	await citizen.locator('#noticeId0').fill(p.noticeId);
	await citizen.locator('#birthMonthDay0').fill(p.monthDay);
	await citizen.getByRole('button', { name: '確認して日時を選ぶ' }).click();
	await expect(citizen).toHaveURL(/\/locations\/3/);
	await citizen.goto(`${b.url}/locations/3/day/${date}`);
	const first = citizen.locator('label.time:not(.disabled)').first();
	const slotId = await first.getAttribute('data-slot-id');
	await first.click();
	await citizen.getByRole('button', { name: 'この時間で進む' }).click();
	await expect(citizen).toHaveURL(/\/reserve\//);
	const staff = await (await browser.newContext()).newPage();
	await uiLogin(staff, a.url, 'viewer');
	await staff.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
	const held = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="held"]`);
	await expect(held).toHaveText('1');
	await citizen.getByRole('button', { name: 'この時間を取り消す' }).click();
	await expect(citizen).toHaveURL(new RegExp(`/locations/3/day/${date}$`));
	await expect(held).toHaveText('0', { timeout: 2000 });
	await citizen.goBack();
	await citizen.reload();
	await expect(citizen.getByRole('alert')).toContainText('もう一度時間を選んでください');
});

test('R-C02 a used link says so plainly and offers a new one; an anonymous visitor cannot hold', async ({ browser, request }) => {
	const { b } = nodes();
	const page = await (await browser.newContext()).newPage();
	await startByEmail(page, b.url, 'twice@example.jp');
	const second = await (await browser.newContext()).newPage();
	await second.goto(`${b.url}/start/${await linkFor('twice@example.jp')}`);
	await expect(second.getByRole('alert')).toContainText('既に使用されています');
	await expect(second.getByRole('link', { name: 'メールアドレスの入力へ' })).toBeVisible();
	await noAxeViolations(second);
	const date = await openDay(request, b.url, 1, 5);
	await second.goto(`${b.url}/locations/1/day/${date}`);
	await expect(second.getByText('メールでお送りしたリンクから手続きを始めてください')).toBeVisible();
	await expect(second.getByRole('button', { name: 'この時間で進む' })).toHaveCount(0);
});

test('R-C13 an admin switches maintenance on with a planned end: citizen pages and API on the other node answer 503 with the end, staff pages keep working', async ({ browser, request }) => {
	const { a, b } = nodes();
	const admin = await (await browser.newContext()).newPage();
	await uiLogin(admin, a.url, 'admin');
	await admin.goto(`${a.url}/staff/settings/maintenance`);
	await noAxeViolations(admin);
	const end = new Date(Date.now() + 2 * 3600_000 + 9 * 3600_000).toISOString().slice(0, 16);
	try {
		await admin.getByLabel('今すぐメンテナンスにする').check();
		await admin.getByLabel('終了予定').fill(end);
		await admin.getByLabel('お知らせ（日本語）').fill('システム更新のため');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByRole('status')).toContainText('保存しました');
		await expect(admin.getByText('メンテナンス中（市民向けサイトは停止中）')).toBeVisible();
		// each node re-reads the switch within two seconds
		await expect.poll(async () => (await request.get(`${b.url}/api/v1/locations`)).status(), { timeout: 5000 }).toBe(503);
		const api = await request.get(`${b.url}/api/v1/locations`);
		expect(Number(api.headers()['retry-after'])).toBeGreaterThan(3600);
		expect(await api.json()).toMatchObject({ status: 503, reason: 'maintenance', plannedEnd: expect.any(String) });
		const citizen = await (await browser.newContext()).newPage();
		const res = await citizen.goto(`${b.url}/`);
		expect(res?.status()).toBe(503);
		await expect(citizen.getByRole('heading', { name: 'メンテナンス中' })).toBeVisible();
		await expect(citizen.getByText('終了予定')).toBeVisible();
		await expect(citizen.getByText('システム更新のため')).toBeVisible();
		await noAxeViolations(citizen);
		await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-maintenance-phone.png` });
		// staff keep working on the same node
		const staff = await (await browser.newContext()).newPage();
		await uiLogin(staff, b.url, 'viewer');
		expect((await staff.goto(`${b.url}/staff/slots`))?.status()).toBe(200);
	} finally {
		await admin.goto(`${a.url}/staff/settings/maintenance`);
		await admin.getByLabel('今すぐメンテナンスにする').uncheck();
		await admin.getByLabel('終了予定').fill('');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByText('通常運用')).toBeVisible();
	}
	await expect.poll(async () => (await request.get(`${b.url}/api/v1/locations`)).status(), { timeout: 5000 }).toBe(200);
});

/** Presses Tab until `target` has focus: proves it is reachable by keyboard alone. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 80) {
	for (let i = 0; i < max; i++) {
		if (await target.evaluate((el) => el === document.activeElement)) return;
		await page.keyboard.press('Tab');
	}
	throw new Error(`not reachable with Tab: ${target}`);
}

test('R-C01 a booking can be completed with the keyboard alone, at 320 px and at 200 % zoom without horizontal scrolling', async ({ browser, request }) => {
	const { b } = nodes();
	const date = await openDay(request, b.url, 1, 7);
	const ctx = await browser.newContext({ viewport: { width: 320, height: 640 } });
	const page = await ctx.newPage();
	await page.goto(`${b.url}/`);
	await tabTo(page, page.getByLabel('メールアドレス'));
	await page.keyboard.type('keys@example.jp');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('heading', { name: 'メールを確認してください' })).toBeFocused();
	await page.goto(`${b.url}/start/${await linkFor('keys@example.jp')}`);
	await tabTo(page, page.getByRole('button', { name: '予約手続きを始める' }));
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/book$/);
	await expect(page.getByRole('heading', { name: '用件と来庁する方' })).toBeVisible();
	const [p] = await freeCards(1, 120);
	await tabTo(page, page.getByRole('radio', { name: /市役所本庁舎/ }));
	await page.keyboard.press('Space');
	await tabTo(page, page.locator('#noticeId0'));
	await page.keyboard.type(p.noticeId);
	await page.keyboard.press('Tab');
	await page.keyboard.type(p.monthDay);
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/locations\/1\?month=/);
	for (const w of [320]) expect(await page.evaluate(() => document.documentElement.scrollWidth), `${w}px`).toBeLessThanOrEqual(w);
	await page.goto(`${b.url}/locations/1?month=${date.slice(0, 7)}`);
	await tabTo(page, page.locator(`a[data-date="${date}"]`), 120);
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(new RegExp(`/day/${date}$`));
	await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
	await tabTo(page, page.locator('input[name="slotId"]:not([disabled])').first());
	await page.keyboard.press('Space');
	await tabTo(page, page.getByRole('button', { name: 'この時間で進む' }));
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/reserve\//);
	await expect(page.getByRole('heading', { name: '予約内容の確認' })).toBeFocused();
	await tabTo(page, page.getByLabel('注意事項を読み、確認しました'));
	await page.keyboard.press('Space');
	await tabTo(page, page.getByRole('button', { name: '予約を確定する' }));
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/manage\/.+\?done=1$/);
	// 200 % zoom of a 640 px window is a 320 px layout: the pages above were used at that width
	await ctx.close();
});
