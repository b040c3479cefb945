import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

test('R-O07 an admin sends an emergency notice: every contact is mailed, and the banner appears live on a citizen page and a wall board of the other node, then goes', async ({ browser, request }) => {
	const { a, b } = nodes();
	const citizen = await (await browser.newContext()).newPage();
	await citizen.goto(`${b.url}/`);
	await expect(citizen.getByTestId('emergency-banner')).toHaveCount(0);
	const boardPage = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
	await uiLogin(boardPage, b.url, 'viewer');
	await boardPage.goto(`${b.url}/board/1`);
	await expect(boardPage.locator('.board')).toHaveAttribute('data-state', 'live');

	const admin = await (await browser.newContext()).newPage();
	await uiLogin(admin, a.url, 'admin');
	await admin.goto(`${a.url}/staff/emergency`);
	await admin.getByLabel('名前').fill('危機管理課');
	await admin.getByLabel('メールアドレス').fill('kiki-e2e@example.city.lg.jp');
	await admin.getByRole('button', { name: '追加' }).click();
	await expect(admin.getByRole('row', { name: /危機管理課/ })).toBeVisible();
	const axe = await new AxeBuilder({ page: admin }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(axe.violations.map((v) => v.id)).toEqual([]);
	await admin.getByLabel('お知らせ（日本語）').fill('大雪のため本日は15時で受付を終了します。');
	await admin.getByLabel('市民向けページと壁掛け表示にも表示する').check();
	await admin.getByRole('button', { name: /緊急連絡先に送信する/ }).click();
	await expect(admin.getByRole('status')).toContainText('送信しました');

	await expect(citizen.getByTestId('emergency-banner')).toContainText('大雪のため本日は15時で受付を終了します。', { timeout: 3000 });
	await expect(boardPage.getByTestId('emergency-banner')).toContainText('大雪のため', { timeout: 3000 });
	await boardPage.screenshot({ path: `${ARTIFACTS}/screenshots/board-emergency.png` });
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-emergency.png` });
	// a page opened afterwards has it from the server
	const later = await (await browser.newContext()).newPage();
	await later.goto(`${b.url}/`);
	await expect(later.getByTestId('emergency-banner')).toBeVisible();

	const view = (await import('./state.ts')).e2eState().mail!.viewUrl.replace('//localhost:', '//127.0.0.1:');
	await expect
		.poll(async () => ((await (await request.get(`${view}/api/messages`)).json()) as { to: string[]; subject: string }[]).some((m) => m.to.includes('kiki-e2e@example.city.lg.jp') && m.subject.includes('緊急')), { timeout: 20_000 })
		.toBe(true);

	await admin.getByRole('button', { name: '表示を終了する' }).click();
	await expect(citizen.getByTestId('emergency-banner')).toHaveCount(0, { timeout: 3000 });
	await expect(boardPage.getByTestId('emergency-banner')).toHaveCount(0, { timeout: 3000 });
});
