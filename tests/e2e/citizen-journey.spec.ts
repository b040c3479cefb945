import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, openDay, setCapacity, staffSlots } from './helpers.ts';
import { freeCards } from './citizen.ts';

/**
 * Issue 8's journey end to end: from an email address to the QR code at the counter and every
 * change after — the mails read from the SMTP sink both nodes send to, the QR decoded, the manage
 * link of the mail opened, the booking moved and cancelled, while a second browser watching the
 * day sees the level change live at each step (R-C02 … R-C10, R-C06).
 */
interface SinkMail {
	id: string;
	subject: string;
	to: string[];
	text: string;
	attachments: { index: number; filename: string; contentType: string }[];
}
const view = () => e2eState().mail!.viewUrl.replace('//localhost:', '//127.0.0.1:');
const local = (url: string) => url.replace('//localhost:', '//127.0.0.1:');

async function mailTo(request: APIRequestContext, to: string, match: (m: SinkMail) => boolean): Promise<SinkMail> {
	let found: SinkMail | undefined;
	await expect
		.poll(
			async () => {
				const all: SinkMail[] = await (await request.get(`${view()}/api/messages`)).json();
				found = all.find((m) => m.to.includes(to) && match(m));
				return !!found;
			},
			{ timeout: 20_000, intervals: [200, 500] }
		)
		.toBe(true);
	return found!;
}

async function clean(page: Page) {
	const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('R-C02 R-C03 R-C09 R-C10 R-C06 the whole journey for two persons, mails from the sink, QR decoded, moved and cancelled through the mailed link, watched live', async ({ browser, request }) => {
	test.setTimeout(180_000);
	const { a, b } = nodes();
	const email = 'journey@example.jp';
	const day1 = await openDay(request, a.url, 1, 12);
	const day2 = await openDay(request, a.url, 1, 13);
	const supervisor = await apiLogin(request, a.url, 'supervisor');
	const [s1] = await staffSlots(request, a.url, supervisor, 1, day1);
	const [s2] = await staffSlots(request, a.url, supervisor, 1, day2);
	// two places each (△ while free): a party of two fills them (×), so the level visibly changes
	await setCapacity(request, a.url, supervisor, s1.id, 2);
	await setCapacity(request, a.url, supervisor, s2.id, 2);

	// the watcher: anyone's browser on the day's times, on the other node
	const watcher = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await watcher.goto(`${b.url}/locations/1/day/${day1}`);
	await expect(watcher.getByRole('status')).toHaveAttribute('data-state', 'live');
	const watched1 = watcher.locator(`[data-slot-id="${s1.id}"]`);
	await expect(watched1).toHaveAttribute('data-level', 'few');

	// 1. start by email; the link comes by mail
	const phone = await (await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true })).newPage();
	await phone.goto(`${a.url}/`);
	await phone.getByLabel('メールアドレス').fill(email);
	await phone.getByRole('button', { name: '手続き用のリンクを送る' }).click();
	await expect(phone.getByTestId('link-sent')).toBeVisible();
	const linkMail = await mailTo(request, email, (m) => m.text.includes('/start/'));
	const link = local(/https?:\/\/\S+\/start\/\S+/.exec(linkMail.text)![0]);
	// the node that ran the mail job made the link (in production both have the same PUBLIC_ORIGIN)
	expect([String(a.port), String(b.port)]).toContain(new URL(link).port);
	await phone.goto(link);
	await phone.getByRole('button', { name: '予約手続きを始める' }).click();
	await expect(phone).toHaveURL(/\/book$/);

	// 2. who is coming: two persons, verified
	const [p1, p2] = await freeCards(2, 150);
	await phone.getByRole('radio', { name: /市役所本庁舎/ }).check();
	await phone.getByRole('link', { name: /同行するご家族を追加/ }).click();
	await phone.locator('#noticeId0').fill(p1.noticeId);
	await phone.locator('#birthMonthDay0').fill(p1.monthDay);
	await phone.locator('#noticeId1').fill(p2.noticeId);
	await phone.locator('#birthMonthDay1').fill(p2.monthDay);
	await phone.getByRole('button', { name: '確認して日時を選ぶ' }).click();
	await expect(phone).toHaveURL(/\/locations\/1\?month=/);

	// 3–4. the day and the time; holding fills the slot for everyone, live
	await phone.goto(`${a.url}/locations/1/day/${day1}`);
	await phone.locator(`label[data-slot-id="${s1.id}"]`).click();
	await phone.getByRole('button', { name: 'この時間で進む' }).click();
	await expect(phone).toHaveURL(/\/reserve\//);
	await expect(watched1).toHaveAttribute('data-level', 'none', { timeout: 3000 });
	await phone.getByLabel('注意事項を読み、確認しました').check();
	await phone.getByRole('button', { name: '予約を確定する' }).click();

	// 5. confirmation: the page and the mail
	await expect(phone).toHaveURL(/\/manage\/.+\?done=1$/);
	await expect(phone.getByRole('heading', { level: 1, name: '予約が完了しました' })).toBeVisible();
	const number = (await phone.locator('[data-booking-number]').textContent())!.trim();
	const code = (await phone.locator('[data-checkin-code]').getAttribute('data-checkin-code'))!.trim();
	await clean(phone);
	await phone.screenshot({ path: `${ARTIFACTS}/screenshots/journey-done-phone.png`, fullPage: true });
	await expect(watched1).toHaveAttribute('data-level', 'none');
	const confirmation = await mailTo(request, email, (m) => m.subject.includes(number));
	expect(confirmation.text).toContain('＊＊');
	for (const secret of [p1.noticeId, p2.noticeId, p1.birthDate, p2.birthDate]) expect(confirmation.text).not.toContain(secret);
	const png = confirmation.attachments.find((x) => x.contentType === 'image/png')!;
	const bytes = Buffer.from(await (await request.get(`${view()}/api/messages/${confirmation.id}/attachments/${png.index}`)).body());
	const img = PNG.sync.read(bytes);
	expect(jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data).toBe(code);
	const ics = confirmation.attachments.find((x) => x.filename.endsWith('.ics'))!;
	const icsText = (await (await request.get(`${view()}/api/messages/${confirmation.id}/attachments/${ics.index}`)).body()).toString('utf8');
	expect(icsText).toContain('DTSTART');
	expect(icsText).toContain(number);
	const manage = local(/https?:\/\/\S+\/manage\/[\w.-]+/.exec(confirmation.text)![0]);

	// 6. the manage link of the mail, on a desktop browser: move to the other day
	const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await desk.goto(manage);
	await expect(desk.locator('[data-booking-number]')).toHaveText(number);
	await desk.screenshot({ path: `${ARTIFACTS}/screenshots/journey-manage-desktop.png`, fullPage: true });
	await desk.goto(`${manage}/move?location=1&date=${day2}`);
	await desk.locator(`[data-slot-id="${s2.id}"]`).click();
	await desk.getByRole('button', { name: 'この日時に変更する' }).click();
	await expect(desk).toHaveURL(/\?changed=moved$/);
	await expect(watched1).toHaveAttribute('data-level', 'few', { timeout: 3000 });
	const moved = await mailTo(request, email, (m) => m.subject.includes(number) && m.subject.includes('変更'));
	expect(moved.attachments.some((x) => x.filename.endsWith('.ics'))).toBe(true);

	// the watcher follows the new day; cancelling frees it, live
	await watcher.goto(`${b.url}/locations/1/day/${day2}`);
	await expect(watcher.getByRole('status')).toHaveAttribute('data-state', 'live');
	const watched2 = watcher.locator(`[data-slot-id="${s2.id}"]`);
	await expect(watched2).toHaveAttribute('data-level', 'none');
	await desk.goto(`${manage}/cancel`);
	await desk.getByRole('button', { name: '予約を取り消す' }).click();
	await expect(desk.locator('[data-status]')).toHaveText('取消済み');
	await expect(watched2).toHaveAttribute('data-level', 'few', { timeout: 3000 });
	await mailTo(request, email, (m) => m.subject.includes(number) && m.subject.includes('取り消'));
	await watcher.screenshot({ path: `${ARTIFACTS}/screenshots/journey-watcher-desktop.png`, fullPage: true });
	const s = (await staffSlots(request, a.url, supervisor, 1, day2))[0];
	expect([s.booked, s.held]).toEqual([0, 0]);
});
