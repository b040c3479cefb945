import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

/** Screenshots at phone and desktop width, and no axe violations (WCAG 2.1 AA). */
async function look(page: Page, name: string) {
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	for (const [width, label] of [
		[1280, 'desktop'],
		[375, 'phone']
	] as const) {
		await page.setViewportSize({ width, height: 900 });
		await page.screenshot({ path: `${ARTIFACTS}/screenshots/${name}-${label}.png`, fullPage: true });
	}
	await page.setViewportSize({ width: 1280, height: 900 });
}

test('R-S01 an admin adds a user (password policy beside the field, generated password shown once), the user signs in on the other node, and disabling ends that session at once', async ({ page, browser }) => {
	const { a, b } = nodes();
	const login = `e2e.${Date.now().toString(36)}`;
	await uiLogin(page, a.url, 'admin');
	await page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name: '利用者管理' }).click();
	await expect(page).toHaveURL(/\/staff\/users$/);
	await page.getByText('利用者を追加').click();

	await page.getByLabel('ユーザーID（半角英数字・3文字以上）').fill(login);
	await page.getByLabel('氏名').fill('試験 花子');
	await page.getByRole('combobox', { name: '権限' }).selectOption('clerk');
	await page.getByLabel('北支所').check();
	// The policy speaks as the admin types.
	await page.getByLabel('初期パスワード').fill('password1234');
	await expect(page.getByText('よく使われていて推測されやすいパスワードです。')).toBeVisible();
	await page.getByLabel('初期パスワード').fill('short');
	await expect(page.getByText('パスワードは12文字以上にしてください。')).toBeVisible();
	await page.getByLabel('初期パスワード').fill('');
	await page.getByRole('button', { name: '追加する' }).click();
	const created = page.getByRole('status').filter({ hasText: 'を追加しました' });
	await expect(created).toContainText(login);
	const password = await page.getByLabel('生成した初期パスワード').inputValue();
	expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
	await expect(page.getByRole('row', { name: new RegExp(login) })).toContainText('北支所');
	await look(page, 'staff-users');

	// The new clerk signs in on node B.
	const other = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
	const clerk = await other.newPage();
	// R-S01: a password an admin set is changed at the first login before anything else opens
	await clerk.goto(`${b.url}/staff/login`);
	await clerk.getByLabel('ユーザーID').fill(login);
	await clerk.getByLabel('パスワード').fill(password);
	await clerk.getByRole('button', { name: 'ログイン' }).click();
	await expect(clerk).toHaveURL(/\/staff\/account$/, { timeout: 20_000 });
	await clerk.getByLabel('現在のパスワード').fill(password);
	await clerk.getByLabel('新しいパスワード', { exact: true }).fill('Own-Choice-Harvest-Moon-3');
	await clerk.getByLabel('新しいパスワード（確認）').fill('Own-Choice-Harvest-Moon-3');
	await clerk.getByRole('button', { name: '変更する' }).click();
	await expect(clerk).toHaveURL(/\/staff\?passwordChanged=1$/, { timeout: 20_000 });
	await clerk.goto(`${b.url}/staff/slots`);
	await expect(clerk).toHaveURL(/\/staff\/slots/);
	// A clerk has no way into the admin screens.
	await expect(clerk.getByRole('link', { name: '利用者管理' })).toHaveCount(0);
	expect((await clerk.goto(`${b.url}/staff/users`))!.status()).toBe(403);
	expect((await clerk.goto(`${b.url}/staff/audit`))!.status()).toBe(403);

	// The admin disables the user on node A: the clerk's next page on node B is the login page.
	await page.getByRole('link', { name: '試験 花子 を編集' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toContainText('試験 花子');
	await look(page, 'staff-user-edit');
	await page.getByRole('button', { name: '無効にする' }).click();
	await expect(page.getByRole('status').filter({ hasText: '無効にしました' })).toBeVisible();
	await clerk.goto(`${b.url}/staff/slots`);
	await expect(clerk).toHaveURL(/\/staff\/login/);
	await other.close();

	// The last-admin rule, in Japanese, on the admin's own account.
	await page.goto(`${a.url}/staff/users`);
	await page.getByRole('row').filter({ has: page.locator('code', { hasText: /^admin$/ }) }).getByRole('link', { name: /を編集$/ }).click();
	await expect(page.getByText('あなた自身のアカウントです')).toBeVisible();
	await page.getByRole('combobox', { name: '権限' }).selectOption('supervisor');
	await page.getByRole('button', { name: '保存する' }).click();
	await expect(page.getByRole('alert')).toContainText('有効な管理者が1人もいなくなるため');
	await page.reload();
	await expect(page.getByText(/^\s*管理者・有効/)).toBeVisible();
});

test('R-O03 the 操作ログ shows the user changes with Japanese names, filters them, passes the tamper check and exports CSV with a BOM', async ({ page, request }) => {
	const { a } = nodes();
	await uiLogin(page, a.url, 'admin');
	await page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name: '操作ログ' }).click();
	await expect(page).toHaveURL(/\/staff\/audit$/);
	await page.getByLabel('操作').selectOption('user');
	await page.getByRole('button', { name: '絞り込む' }).click();
	await expect(page).toHaveURL(/action=user/);
	const table = page.getByRole('table');
	await expect(table).toContainText('利用者の無効化');
	await expect(table).toContainText('user.disabled');
	await expect(table).toContainText('利用者の追加');
	await expect(table).not.toContainText('login.failed');

	await page.getByRole('button', { name: '検査する' }).click();
	await expect(page.getByRole('status')).toContainText('改ざんは見つかりませんでした');
	await look(page, 'staff-audit');

	// A bad date in the address is a readable message, not an error page.
	await page.goto(`${a.url}/staff/audit?from=2026-02-30`);
	await expect(page.getByRole('alert')).toContainText('開始日');

	const href = await (async () => {
		await page.goto(`${a.url}/staff/audit?action=user`);
		return page.getByRole('link', { name: 'この条件でCSV出力' }).getAttribute('href');
	})();
	const cookies = await page.context().cookies();
	const r = await request.get(`${a.url}${href}`, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
	expect(r.status()).toBe(200);
	expect(r.headers()['content-type']).toContain('text/csv');
	const body = await r.body();
	expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	expect(body.toString('utf8')).toContain('日時,利用者,操作,対象種別,対象ID,詳細,IPアドレス');
	expect(body.toString('utf8')).toContain('利用者の無効化（user.disabled）');
});
