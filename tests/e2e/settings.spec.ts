import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { apiLogin, nodes, staffSlots, uiLogin } from './helpers.ts';

/**
 * Scheduling settings as an admin (R-S06, R-S07, R-S17). The test makes its own location (not
 * citizen-bookable, so the public list the other specs check stays the demo city's three).
 */
test('R-S06 R-S07 an admin adds a location, is told in Japanese what is wrong with a pattern, closes a day and sees its slots go', async ({ page, request }) => {
	const { a, b } = nodes();
	const code = `e2e-${Date.now().toString(36)}`;
	await uiLogin(page, a.url, 'admin');
	await page.getByRole('link', { name: '予約の設定' }).click();
	await expect(page).toHaveURL(/\/staff\/settings$/);

	const add = page.getByRole('form', { name: '交付場所の追加' });
	await add.getByLabel('名称（日本語）').fill('テスト出張所');
	await add.getByLabel('名称（英語）').fill('Test Office');
	await add.getByLabel('コード（半角英小文字・数字）').fill('Bad Code');
	await add.getByLabel('市民の予約を受け付ける').uncheck();
	await add.getByRole('button', { name: '追加' }).click();
	await expect(add.getByRole('alert')).toContainText('入力内容に誤りがあります');
	await expect(add.getByText('コード: コードは半角英小文字・数字・ハイフン・アンダースコア（32文字以内）で入力してください')).toBeVisible();
	await add.getByLabel('コード（半角英小文字・数字）').fill(code);
	await add.getByRole('button', { name: '追加' }).click();
	await expect(add.getByRole('status')).toContainText('保存しました');
	await expect(add.getByRole('status')).toContainText(/枠: 作成 \d+/);
	const link = page.getByRole('row', { name: /テスト出張所/ }).getByRole('link', { name: '開庁時間パターン' });
	await link.click();
	await expect(page).toHaveURL(/\/locations\/\d+\/patterns$/);
	const locationId = Number(/locations\/(\d+)\//.exec(page.url())![1]);

	// A pattern whose close time precedes its open time: refused, message beside the form, nothing saved.
	const normal = page.getByRole('form', { name: 'パターン 通常' });
	await normal.getByLabel('開始', { exact: true }).fill('17:00');
	await normal.getByLabel('終了', { exact: true }).fill('09:00');
	await normal.getByRole('button', { name: '保存' }).click();
	await expect(normal.getByRole('alert')).toContainText('入力内容に誤りがあります');
	await expect(normal.getByText('終了: 終了時刻は開始時刻より後にしてください')).toBeVisible();
	await page.reload();
	await expect(page.getByRole('form', { name: 'パターン 通常' }).getByLabel('開始', { exact: true })).toHaveValue('08:45');
	// Deleting a pattern the weekly plan uses is refused with where it is used.
	await page.getByRole('form', { name: 'パターン 通常' }).getByRole('button', { name: '削除' }).click();
	await expect(page.getByRole('form', { name: 'パターン 通常' }).getByRole('alert')).toContainText('曜日（月・火・水・木・金）で使われているため削除できません');

	// Close the first day with slots and see them gone (staff API on the other node).
	const token = await apiLogin(request, b.url, 'admin');
	let day = '';
	for (let i = 3; i < 20 && !day; i++) {
		const d = new Date(Date.now() + 9 * 3600_000 + i * 86_400_000).toISOString().slice(0, 10);
		if ((await staffSlots(request, b.url, token, locationId, d)).length > 0) day = d;
	}
	expect(day).not.toBe('');
	await page.getByRole('link', { name: '臨時開庁・休業・時間帯' }).click();
	const addDate = page.getByRole('form', { name: '臨時開庁日・臨時休業日の追加' });
	await addDate.getByLabel('日付').fill(day);
	await addDate.getByLabel('メモ（任意）').fill('庁舎点検');
	await addDate.getByRole('button', { name: '追加' }).click();
	await expect(page.getByRole('status')).toContainText(/削除 [1-9]\d*/);
	await expect(page.getByRole('row', { name: new RegExp(`${day}.*臨時休業.*庁舎点検`) })).toBeVisible();
	expect(await staffSlots(request, b.url, token, locationId, day)).toEqual([]);

	// Overlapping time ranges are refused.
	const addRange = page.getByRole('form', { name: '時間帯ごとの定員' });
	// Each submission is awaited by what it shows, not by network idleness: under load the first
	// answer (which regenerates slots) came after the second range was typed and sent.
	const fillRange = async (start: string, end: string) => {
		await addRange.getByLabel('日付').fill('2099-01-05');
		await addRange.getByLabel('開始').fill(start);
		await addRange.getByLabel('終了').fill(end);
		await addRange.getByLabel('定員').fill('1');
		await addRange.getByRole('button', { name: '追加' }).click();
	};
	await fillRange('10:00', '12:00');
	await expect(page.getByRole('row', { name: /2099-01-05/ })).toHaveCount(1, { timeout: 15_000 });
	await fillRange('11:00', '13:00');
	await expect(addRange.getByText('開始: 時間帯が重複しています')).toBeVisible({ timeout: 15_000 });
	await expect(page.getByRole('row', { name: /2099-01-05/ })).toHaveCount(1);

	// The booking window: citizens from 3 days ahead; a bad fixed date is refused.
	await page.getByRole('link', { name: '受付期間' }).click();
	await page.getByLabel('日付で指定').check();
	await page.getByLabel('最終日').fill('');
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.getByText('受付終了（日付）: 日付は YYYY-MM-DD の形式で入力してください')).toBeVisible();
	await page.getByLabel('今日から日数で指定').check();
	await page.getByLabel('市民: 何日後から予約できるか').fill('3');
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.getByRole('status')).toContainText('保存しました');
	const api = await request.get(`${b.url}/api/v1/staff/settings/locations/${locationId}/schedule`, { headers: { authorization: `Bearer ${token}` } });
	expect((await api.json()).window).toMatchObject({ citizenMinDaysAhead: 3, maxMode: 'days' });

	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
	await page.setViewportSize({ width: 390, height: 844 });
	await page.getByRole('link', { name: '開庁時間パターン' }).click();
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/settings-patterns-phone.png`, fullPage: true });
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});

test('R-S17 R-C08 an admin edits a purpose’s precautions; the citizen API shows the new text', async ({ page, request }) => {
	const { a, b } = nodes();
	await uiLogin(page, a.url, 'admin');
	await page.goto(`${a.url}/staff/settings/purposes`);
	const form = page.getByRole('form', { name: '用件 電子証明書の更新' });
	const text = `マイナンバーカードをお持ちください（${Date.now()}）`;
	await form.getByLabel('注意事項', { exact: true }).fill(text);
	await form.getByLabel('必要な枠数').fill('0');
	// The browser's own check (min=1) would stop this; bypass it to see the server's message.
	await form.evaluate((f: HTMLFormElement) => (f.noValidate = true));
	await form.getByRole('button', { name: '保存' }).click();
	await expect(form.getByText('必要な枠数: 必要な枠数は 1 以上の整数にしてください')).toBeVisible();
	await form.getByLabel('必要な枠数').fill('1');
	await form.getByRole('button', { name: '保存' }).click();
	await expect(form.getByRole('status')).toContainText('保存しました');
	const purposes = await (await request.get(`${b.url}/api/v1/locations/1/purposes`)).json();
	expect(purposes.purposes.find((p: { code: string }) => p.code === 'ecert_renewal').precautions.ja).toBe(text);
});

test('R-S01 settings are for admins only', async ({ page, request }) => {
	const { a } = nodes();
	await uiLogin(page, a.url, 'supervisor');
	await expect(page.getByRole('link', { name: '予約の設定' })).toHaveCount(0);
	const r = await page.goto(`${a.url}/staff/settings`);
	expect(r?.status()).toBe(403);
	const token = await apiLogin(request, a.url, 'supervisor');
	const api = await request.patch(`${a.url}/api/v1/staff/settings/locations/1/schedule`, { headers: { authorization: `Bearer ${token}` }, data: { rangeExceptions: [] } });
	expect(api.status()).toBe(403);
});
