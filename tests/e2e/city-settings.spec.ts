import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, uiLogin } from './helpers.ts';

/**
 * R-S18 (with R-C13): an admin sets the city up on screen (/staff/settings/city) on node A; the
 * citizen pages of node B show the new name at once (the settings cache follows through Redis), a
 * sign-in mail carries it, and every citizen page links the privacy notice and help, and announces
 * planned maintenance. Restores the demo city's name at the end (other specs read mails).
 */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];
const viewUrl = () => e2eState().mail!.viewUrl.replace('//localhost:', '//127.0.0.1:');

async function noAxeViolations(page: Page) {
	const r = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
	expect(r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function putCity(request: APIRequestContext, base: string, token: string, body: unknown) {
	const r = await request.put(`${base}/api/v1/staff/settings/city`, { headers: { authorization: `Bearer ${token}` }, data: body });
	expect(r.status(), await r.text()).toBe(200);
	return r.json();
}

/** The citizen pages every visitor can open without a session. */
const CITIZEN_PAGES = ['/', '/locations/1', '/book', '/privacy', '/help'];

test('R-S18 an admin sets the city name on screen: node B’s citizen header and a sign-in mail show it; privacy and help pages linked from every citizen page, rendered as text', async ({ browser, request }) => {
	test.setTimeout(120_000);
	const { a, b } = nodes();
	const token = await apiLogin(request, a.url, 'admin');
	const before = await (await request.get(`${a.url}/api/v1/staff/settings/city`, { headers: { authorization: `Bearer ${token}` } })).json();
	// the page's data is the admin's only, even asked for directly
	const viewer = await apiLogin(request, a.url, 'viewer');
	const refused = await request.get(`${a.url}/staff/settings/city/__data.json`, { headers: { authorization: `Bearer ${viewer}` } });
	expect(refused.status()).toBeLessThan(500);
	expect(await refused.text()).not.toMatch(/holdMinutes|privacyNotice|cityName/);
	expect((await request.get(`${a.url}/api/v1/staff/settings/city`, { headers: { authorization: `Bearer ${viewer}` } })).status()).toBe(403);
	const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	try {
		// node B has the demo name in its copy before the change
		const citizen = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
		await citizen.goto(`${b.url}/`);
		await expect(citizen.getByTestId('city-name')).toHaveText(before.cityName.ja);

		await uiLogin(admin, a.url, 'admin');
		await admin.goto(`${a.url}/staff/settings`);
		await admin.getByRole('navigation', { name: '設定メニュー' }).getByRole('link', { name: '市の共通設定' }).click();
		await expect(admin).toHaveURL(/\/staff\/settings\/city$/);
		await expect(admin.getByRole('heading', { level: 1, name: '市の共通設定' })).toBeVisible();
		await noAxeViolations(admin);
		await admin.screenshot({ path: `${ARTIFACTS}/screenshots/city-settings-desktop.png`, fullPage: true });

		// a bad value: the error beside the field, nothing saved
		await admin.getByLabel('リマインドメール').fill('20');
		await admin.getByLabel('日本語（必須）').first().fill('');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByRole('alert')).toContainText('入力内容に誤りがあります');
		await expect(admin.locator('#f-reminderDays-err')).toHaveText('0〜14の整数で入力してください');
		await expect(admin.locator('#f-cityName-ja-err')).toHaveText('日本語は必須です。入力してください');
		await expect(admin.getByLabel('リマインドメール')).toHaveAttribute('aria-invalid', 'true');
		await noAxeViolations(admin);
		await admin.screenshot({ path: `${ARTIFACTS}/screenshots/city-settings-errors-desktop.png`, fullPage: true });

		await admin.getByLabel('リマインドメール').fill(String(before.reminderDays));
		await admin.getByLabel('日本語（必須）').first().fill('みなと市');
		await admin.getByLabel('英語（English）').first().fill('Minato City');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByRole('status')).toContainText('保存しました');
		await expect(admin.getByLabel('日本語（必須）').first()).toHaveValue('みなと市');
		await admin.setViewportSize({ width: 390, height: 844 });
		await admin.screenshot({ path: `${ARTIFACTS}/screenshots/city-settings-phone.png`, fullPage: true });
		// a location's address and access have their own form on its page (R-S18)
		await admin.goto(`${a.url}/staff/settings/locations/1`);
		await expect(admin.getByRole('heading', { name: '住所と交通案内' })).toBeVisible();
		await expect(admin.getByLabel('住所（日本語）')).not.toHaveValue('');
		await noAxeViolations(admin);
		await admin.screenshot({ path: `${ARTIFACTS}/screenshots/location-place-phone.png`, fullPage: true });
		await admin.setViewportSize({ width: 1280, height: 900 });
		await admin.screenshot({ path: `${ARTIFACTS}/screenshots/location-place-desktop.png`, fullPage: true });

		// node B, at once: the header, and the footer's links on every citizen page
		await citizen.goto(`${b.url}/`);
		await expect(citizen.getByTestId('city-name')).toHaveText('みなと市');
		for (const path of CITIZEN_PAGES) {
			await citizen.goto(`${b.url}${path}`);
			await expect(citizen.getByTestId('city-name'), path).toHaveText('みなと市');
			const footer = citizen.getByRole('contentinfo');
			await expect(footer.getByRole('link', { name: '個人情報の取扱い' }), path).toHaveAttribute('href', '/privacy');
			await expect(footer.getByRole('link', { name: 'よくある質問' }), path).toHaveAttribute('href', '/help');
		}
		await citizen.goto(`${b.url}/`);
		await citizen.getByRole('contentinfo').getByRole('link', { name: '個人情報の取扱い' }).click();
		await expect(citizen).toHaveURL(/\/privacy$/);
		await expect(citizen.getByRole('heading', { level: 1, name: '個人情報の取扱い' })).toBeVisible();
		await expect(citizen.getByRole('heading', { name: '2. 利用の目的' })).toBeVisible();
		await noAxeViolations(citizen);
		await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/privacy-phone.png`, fullPage: true });
		await citizen.setViewportSize({ width: 320, height: 700 });
		expect(await citizen.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
		await citizen.setViewportSize({ width: 390, height: 844 });
		await citizen.getByRole('contentinfo').getByRole('link', { name: 'よくある質問' }).click();
		await expect(citizen.getByRole('heading', { level: 1, name: 'よくある質問' })).toBeVisible();
		await expect(citizen.getByRole('heading', { name: '予約に必要なものは何ですか。' })).toBeVisible();
		await noAxeViolations(citizen);
		await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/help-phone.png`, fullPage: true });
		// in English: its own text
		await citizen.goto(`${b.url}/help?lang=en`);
		await expect(citizen.getByRole('heading', { level: 1, name: 'Help and FAQ' })).toBeVisible();
		await expect(citizen.getByTestId('city-name')).toHaveText('Minato City');
		await citizen.goto(`${b.url}/?lang=ja`);

		// what the city types is text, never markup
		await putCity(request, a.url, token, { help: { ja: '質問です<img src=x onerror="window.__x=1">\n<script>window.__x=2</script>答え', en: before.help.en } });
		await citizen.goto(`${b.url}/help`);
		await expect(citizen.getByRole('heading', { name: '質問です<img src=x onerror="window.__x=1">' })).toBeVisible();
		await expect(citizen.getByText('<script>window.__x=2</script>答え')).toBeVisible();
		await expect(citizen.locator('main img')).toHaveCount(0);
		expect(await citizen.evaluate(() => (window as unknown as { __x?: number }).__x)).toBeUndefined();

		// a sign-in mail requested on node B carries the name set on screen
		const email = `city-e2e-${Date.now()}@example.jp`;
		expect((await request.post(`${b.url}/api/v1/citizen/links`, { data: { email } })).status()).toBe(202);
		let subject = '';
		await expect
			.poll(
				async () => {
					const all: { subject: string; to: string[] }[] = await (await request.get(`${viewUrl()}/api/messages`)).json();
					subject = all.find((m) => m.to.includes(email))?.subject ?? '';
					return subject;
				},
				{ timeout: 20_000, intervals: [200, 500] }
			)
			.toContain('【みなと市】');
		expect(subject).not.toContain('デモ市');
	} finally {
		await putCity(request, a.url, token, { cityName: before.cityName, help: before.help, reminderDays: before.reminderDays });
		await admin.context().close();
	}
});

test('R-C13 planned maintenance announced ahead is shown on every citizen page (both nodes), and gone when withdrawn', async ({ browser }) => {
	test.setTimeout(90_000);
	const { a, b } = nodes();
	const admin = await (await browser.newContext()).newPage();
	await uiLogin(admin, a.url, 'admin');
	const tokyo = (ms: number) => new Date(Date.now() + ms + 9 * 3600_000).toISOString().slice(0, 16);
	try {
		await admin.goto(`${a.url}/staff/settings/maintenance`);
		await admin.getByLabel('開始予定（予告・自動開始）').fill(tokyo(2 * 86_400_000));
		await admin.getByLabel('終了予定').fill(tokyo(2 * 86_400_000 + 3 * 3600_000));
		await admin.getByLabel('お知らせ（日本語）').fill('システムの定期点検を行います');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByText('予告中')).toBeVisible();

		const citizen = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
		for (const base of [b.url, a.url]) {
			for (const path of CITIZEN_PAGES) {
				await citizen.goto(`${base}${path}`);
				const notice = citizen.getByTestId('maintenance-notice');
				await expect(notice, `${base}${path}`).toBeVisible();
				await expect(notice.getByRole('heading', { name: 'メンテナンスのお知らせ' })).toBeVisible();
				await expect(notice).toContainText('システムの定期点検を行います');
			}
		}
		await citizen.goto(`${b.url}/privacy`);
		await noAxeViolations(citizen);
		await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/privacy-maintenance-phone.png` });
		// staff pages do not carry it
		await admin.goto(`${a.url}/staff`);
		await expect(admin.getByTestId('maintenance-notice')).toHaveCount(0);
	} finally {
		await admin.goto(`${a.url}/staff/settings/maintenance`);
		await admin.getByLabel('開始予定（予告・自動開始）').fill('');
		await admin.getByLabel('終了予定').fill('');
		await admin.getByLabel('お知らせ（日本語）').fill('');
		await admin.getByRole('button', { name: '保存' }).click();
		await expect(admin.getByText('通常運用')).toBeVisible();
	}
	const citizen = await (await browser.newContext()).newPage();
	await citizen.goto(`${b.url}/help`);
	await expect(citizen.getByTestId('maintenance-notice')).toHaveCount(0);
});
