import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, openDay, staffSlots, uiLogin } from './helpers.ts';
import { freeCards } from './citizen.ts';

test('R-S12 a supervisor mails every booking of a day that must close: preview with count, send, progress reaches all sent, mails in the sink', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, a.url, 2, 14);
	const clerk = await apiLogin(request, a.url, 'clerk');
	const [slot] = await staffSlots(request, a.url, clerk, 2, date);
	const cards = await freeCards(2, 170);
	for (const [i, c] of cards.entries()) {
		const r = await request.post(`${a.url}/api/v1/staff/reservations`, {
			headers: { authorization: `Bearer ${clerk}` },
			data: { slotId: slot.id, persons: [{ noticeId: c.noticeId, birthDate: c.birthDate }], email: `bulk${i}@example.jp` }
		});
		expect(r.status(), await r.text()).toBe(201);
	}
	const page = await (await browser.newContext()).newPage();
	await uiLogin(page, b.url, 'supervisor');
	await page.goto(`${b.url}/staff/mail/bulk`);
	await page.getByLabel('交付場所').selectOption({ label: '北支所' });
	await page.getByLabel('来庁日（から）').fill(date);
	await page.getByLabel('来庁日（まで）').fill(date);
	await page.getByLabel('件名').fill('【{{cityName}}】{{date}} 窓口休止のお知らせ');
	await page.getByLabel('本文').fill('{{name}} 様\n{{date}} {{time}} のご予約は、窓口休止のため日時の変更をお願いします。\n{{manageUrl}}');
	await page.getByRole('button', { name: '見本と件数を確認' }).click();
	await expect(page.getByRole('status')).toContainText('送信対象：2 件');
	await expect(page.locator('.sample')).toContainText('＊＊ 様');
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(axe.violations.map((v) => v.id)).toEqual([]);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/staff-bulk-mail.png`, fullPage: true });
	await page.getByRole('button', { name: '2 件に送信する' }).click();
	await expect(page.getByText('送信を受け付けました（2 件）')).toBeVisible();
	const row = page.locator('tr[data-bulk-id]').first();
	await expect(row.locator('[data-field="sent"]')).toHaveText('2', { timeout: 20_000 });
	const view = e2eState().mail!.viewUrl.replace('//localhost:', '//127.0.0.1:');
	const all: { to: string[]; subject: string }[] = await (await request.get(`${view}/api/messages`)).json();
	expect(all.filter((m) => m.subject.includes('窓口休止のお知らせ')).flatMap((m) => m.to).sort()).toEqual(['bulk0@example.jp', 'bulk1@example.jp']);
	// clerks cannot open it
	const clerkPage = await (await browser.newContext()).newPage();
	await uiLogin(clerkPage, b.url, 'clerk');
	expect((await clerkPage.goto(`${b.url}/staff/mail/bulk`))?.status()).toBe(403);
});
