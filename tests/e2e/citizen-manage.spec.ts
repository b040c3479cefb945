import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { apiLogin, nodes, openDay, setCapacity, staffSlots, uiLogin } from './helpers.ts';
import { bookAsCitizen } from './citizen.ts';

const LOCATION = 1;

/**
 * R-C01: axe finds nothing (WCAG 2.2 AA tags), nothing scrolls sideways at 320 px, and the page is
 * photographed on a phone (375 px) and a desktop (1280 px) to be looked at.
 */
async function look(page: Page, name: string) {
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(axe.violations.map((v) => `${name} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/manage-${name}-375.png`, fullPage: true });
	// what the phone shows at once, where focus has taken the reader
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/manage-${name}-375-view.png` });
	await page.setViewportSize({ width: 320, height: 700 });
	expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways at 320 px`).toBeLessThanOrEqual(320);
	await page.setViewportSize({ width: 1280, height: 900 });
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/manage-${name}-1280.png`, fullPage: true });
	await page.setViewportSize({ width: 375, height: 812 });
}

/** Presses Tab until the focused element's text matches; keyboard only (R-C01). */
async function tabTo(page: Page, text: RegExp) {
	for (let i = 0; i < 60; i++) {
		await page.keyboard.press('Tab');
		const focused = (await page.evaluate(() => document.activeElement?.textContent ?? '')).trim();
		if (text.test(focused)) return;
	}
	throw new Error(`never reached ${text} with Tab`);
}

test('R-C09 R-C10 R-C01 R-C06 the manage link: completion page with QR and .ics, move (levels follow live), add a person, cancel by keyboard; axe clean', async ({ browser, request }) => {
	test.setTimeout(180_000); // nine pages looked at, each with axe and three screenshots
	const { a, b } = nodes();
	const staff = await apiLogin(request, a.url, 'supervisor');
	const dayFrom = await openDay(request, a.url, LOCATION, 5);
	const dayTo = await openDay(request, a.url, LOCATION, 6);
	const from = (await staffSlots(request, a.url, staff, LOCATION, dayFrom)).find((s) => s.booked + s.held === 0 && s.capacity >= 3)!;
	const to = (await staffSlots(request, a.url, staff, LOCATION, dayTo)).find((s) => s.booked + s.held === 0 && s.capacity >= 3)!;
	// three places: empty it shows ◎; with this booking (1) and then a second person (2) it shows △ (R-C05)
	await setCapacity(request, a.url, staff, to.id, 3);
	const cards = await (await request.get(`${a.url}/api/v1/staff/cards?status=notice_sent&limit=2&offset=150`, { headers: { authorization: `Bearer ${staff}` } })).json();
	const [p1, p2] = cards.items as { noticeId: string; birthDate: string }[];
	// R-S18: the access directions are set on the location's settings page, as an admin does it
	const admin = await (await browser.newContext()).newPage();
	await uiLogin(admin, a.url, 'admin');
	await admin.goto(`${a.url}/staff/settings/locations/${LOCATION}`);
	await admin.getByLabel('交通案内（最寄り駅・バス停、駐車場など）（日本語）').fill('市バス「市役所前」下車すぐ\n駐車場あり（2時間まで無料）');
	await admin.getByRole('button', { name: '住所と交通案内を保存' }).click();
	await expect(admin.getByRole('status')).toContainText('保存しました');
	await admin.context().close();
	const booking = await bookAsCitizen(request, b.url, LOCATION, from.id, p1);

	const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, acceptDownloads: true });
	const page = await phone.newPage();

	// Completion page (R-C09): reloading keeps it, nothing is held any more.
	await page.goto(`${a.url}${booking.path}?done=1`);
	await expect(page.getByRole('heading', { level: 1, name: '予約が完了しました' })).toBeVisible();
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: '予約が完了しました' })).toBeVisible();
	await expect(page).toHaveTitle('予約が完了しました — マイナンバーカード交付予約');
	await expect(page.locator('[data-booking-number]')).toHaveText(booking.number);
	const [y, m, d] = dayFrom.split('-').map(Number);
	await expect(page.locator('[data-when]')).toHaveText(new RegExp(`^${y}年${m}月${d}日（[日月火水木金土]）${from.startsAt.slice(11, 16)}〜\\d\\d:\\d\\d$`));
	await expect(page.getByRole('img', { name: '受付用QRコード' })).toBeVisible();
	await expect(page.locator('[data-checkin-code]')).toHaveAttribute('data-checkin-code', /^MN[0-9A-F]{32}$/);
	await expect(page.locator('[data-qr-fallback]')).toHaveText(booking.number);
	await expect(page.getByText('市バス「市役所前」下車すぐ')).toBeVisible();
	await expect(page.getByText(p1.noticeId)).toHaveCount(0);
	await look(page, 'done');

	// The calendar entry (R-C09): the visit's instant and the booking number.
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'カレンダーに登録する（.ics）' }).click()]);
	const ics = readFileSync((await download.path())!, 'utf8').replace(/\r?\n[ \t]/g, '');
	const utc = new Date(from.startsAt).toISOString().replace(/[-:]/g, '').slice(0, 15);
	expect(ics).toContain(`DTSTART:${utc}Z`);
	expect(ics).toContain(booking.number);
	const head = await request.get(`${a.url}${booking.path}/calendar.ics`);
	expect(head.headers()['content-type']).toBe('text/calendar; charset=utf-8');
	expect(head.headers()['content-disposition']).toMatch(/^attachment; filename="reservation-.*\.ics"$/);

	// English, remembered (R-C01).
	await page.goto(`${a.url}${booking.path}?lang=en`);
	await expect(page.locator('[data-when]')).toHaveText(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d–\d\d:\d\d$/);
	await expect(page.getByRole('img', { name: 'QR code for check-in' })).toBeVisible();
	await expect(page).toHaveTitle('Your booking — My Number Card Pick-up Reservation');
	await look(page, 'en');
	await page.goto(`${a.url}${booking.path}?lang=ja`);

	// Move (R-C10): location, day, time with room, confirm; focus follows each step.
	await page.getByRole('link', { name: '日時・場所を変更' }).click();
	await expect(page).toHaveURL(/\/move$/);
	await expect(page.getByRole('heading', { level: 1, name: '日時・場所の変更' })).toBeFocused();
	await page.locator(`a[data-location-id="${LOCATION}"]`).click();
	await expect(page.getByRole('heading', { name: /2\. 日にちを選ぶ/ })).toBeFocused();
	while (!(await page.locator(`a[data-date="${dayTo}"]`).count())) await page.getByRole('link', { name: /次の月/ }).click();
	await page.locator(`a[data-date="${dayTo}"]`).click();
	await expect(page.getByRole('heading', { name: /3\. 時間を選ぶ/ })).toBeFocused();
	const target = page.locator(`[data-slot-id="${to.id}"]`);
	await expect(target).toHaveAttribute('data-level', 'many');
	// R-C06: a capacity change made on the other node reaches the open page without a reload
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	await setCapacity(request, b.url, staff, to.id, 1);
	await expect(target).toHaveAttribute('data-level', 'few');
	await setCapacity(request, b.url, staff, to.id, 3);
	await expect(target).toHaveAttribute('data-level', 'many');
	await look(page, 'move-times');
	await target.click();
	await expect(page.getByRole('heading', { name: '4. 変更内容の確認' })).toBeFocused();
	await look(page, 'move-confirm');
	await page.getByRole('button', { name: 'この日時に変更する' }).click();
	await expect(page).toHaveURL(/\?changed=moved$/);
	await expect(page.getByRole('status')).toContainText('予約の日時・場所を変更しました');
	await expect(page.getByRole('status')).toContainText('変更内容をメールでお送りしました');
	await expect(page.locator('[data-when]')).toContainText(to.startsAt.slice(11, 16));
	// the places moved: the old time is free again, the new one shows △ and is marked as the booking's own
	expect((await staffSlots(request, a.url, staff, LOCATION, dayFrom)).find((s) => s.id === from.id)!.booked).toBe(0);
	await page.goto(`${a.url}${booking.path}/move?location=${LOCATION}&date=${dayTo}`);
	await expect(target).toHaveAttribute('data-level', 'few');
	await expect(target).toHaveAttribute('data-current', 'true');
	await page.goto(`${a.url}${booking.path}`);

	// Add a person (R-C10 R-C07): a wrong birthday first — message focused, fields marked (R-C03, R-C01).
	await page.getByRole('link', { name: '同行者を追加' }).click();
	await expect(page.getByRole('heading', { level: 1, name: '同行者の追加' })).toBeFocused();
	await page.getByLabel('交付通知書番号').fill(p2.noticeId);
	const [bm, bd] = p2.birthDate.slice(5).split('-').map(Number);
	await page.getByRole('combobox', { name: '月' }).selectOption(String(bm));
	await page.getByRole('combobox', { name: '日' }).selectOption(String(bd === 28 ? 27 : bd + 1));
	await page.getByRole('button', { name: '追加する' }).click();
	const alert = page.getByRole('alert');
	await expect(alert).toContainText('交付通知書番号または生年月日');
	await expect(alert).toBeFocused();
	await expect(page.getByLabel('交付通知書番号')).toHaveAttribute('aria-invalid', 'true');
	await expect(page.getByLabel('交付通知書番号')).toHaveValue(p2.noticeId);
	await look(page, 'add-error');
	await page.getByRole('combobox', { name: '日' }).selectOption(String(bd));
	await page.getByRole('button', { name: '追加する' }).click();
	await expect(page).toHaveURL(/\?changed=person_added$/);
	await expect(page.getByRole('status')).toContainText('同行者を追加しました');
	await expect(page.locator('ol.persons li')).toHaveCount(2);
	await look(page, 'changed');

	// Cancel with the keyboard alone (R-C01 R-C10).
	await tabTo(page, /^予約を取り消す$/);
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/cancel$/);
	await expect(page.getByRole('heading', { level: 1, name: '予約の取り消し' })).toBeFocused();
	await look(page, 'cancel');
	await tabTo(page, /^予約を取り消す$/);
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\?changed=cancelled$/);
	await expect(page.locator('[data-status]')).toHaveText('取消済み');
	await expect(page.getByRole('link', { name: '予約を取り消す' })).toHaveCount(0);
	await expect(page.getByRole('img', { name: '受付用QRコード' })).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'あらためて予約する' })).toHaveAttribute('href', '/');
	await look(page, 'cancelled');
	expect((await staffSlots(request, a.url, staff, LOCATION, dayTo)).find((s) => s.id === to.id)!.booked).toBe(0);

	// A wrong link: a plain 404 with a way to start again.
	const res = await page.goto(`${a.url}${booking.path.replace(/.{6}$/, 'AAAAAA')}`);
	expect(res?.status()).toBe(404);
	await expect(page.getByRole('heading', { level: 1, name: '予約が見つかりません' })).toBeVisible();
	await expect(page.getByRole('link', { name: '最初から予約する' })).toHaveAttribute('href', '/');
	await look(page, 'not-found');
	await phone.close();
});

test('R-C10 R-C01 without JavaScript the manage pages still move, refuse an incomplete person with a message, and cancel', async ({ browser, request }) => {
	const { a } = nodes();
	const staff = await apiLogin(request, a.url, 'supervisor');
	const dayFrom = await openDay(request, a.url, LOCATION, 7);
	const slots = (await staffSlots(request, a.url, staff, LOCATION, dayFrom)).filter((s) => s.booked + s.held === 0 && s.capacity >= 3);
	const [from, to] = [slots[0], slots[slots.length - 1]];
	const cards = await (await request.get(`${a.url}/api/v1/staff/cards?status=notice_sent&limit=1&offset=160`, { headers: { authorization: `Bearer ${staff}` } })).json();
	const booking = await bookAsCitizen(request, a.url, LOCATION, from.id, cards.items[0]);

	const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 375, height: 812 } });
	const page = await context.newPage();
	await page.goto(`${a.url}${booking.path}/move?location=${LOCATION}&date=${dayFrom}`);
	await page.locator(`a[data-slot-id="${to.id}"]`).click();
	await page.getByRole('button', { name: 'この日時に変更する' }).click();
	await expect(page).toHaveURL(/\?changed=moved$/);
	await expect(page.locator('[data-when]')).toContainText(to.startsAt.slice(11, 16));

	await page.getByRole('link', { name: '同行者を追加' }).click();
	await page.getByRole('button', { name: '追加する' }).click();
	await expect(page.getByRole('alert')).toHaveText('入力内容を確認してください。');
	await expect(page.getByLabel('交付通知書番号')).toHaveAttribute('aria-invalid', 'true');

	await page.goto(`${a.url}${booking.path}/cancel`);
	await page.getByRole('button', { name: '予約を取り消す' }).click();
	await expect(page).toHaveURL(/\?changed=cancelled$/);
	await expect(page.locator('[data-status]')).toHaveText('取消済み');
	await context.close();
});
