import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

test('R-O06 the status page shows both app nodes, the database, Redis, the queues, today’s bookings and the backup; the same figures are in /metrics; admins only', async ({ browser, request }) => {
	const { a, b } = nodes();
	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'admin');
	await page.goto(`${a.url}/staff/status`);
	await expect(page.getByRole('heading', { name: '稼働状況' })).toBeVisible();
	await expect.poll(async () => page.locator('tr[data-node] td.ok').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
	await expect(page.locator('[data-status="database"]')).toHaveText('正常');
	await expect(page.locator('[data-status="redis"]')).toHaveText('正常');
	await expect(page.locator('[data-status="bookings-today"]')).toContainText('件');
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(axe.violations.map((v) => v.id)).toEqual([]);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/staff-status.png`, fullPage: true });
	const metrics = await (await request.get(`${b.url}/metrics`)).text();
	for (const name of ['mynumber_nodes_alive', 'mynumber_outbox_queued', 'mynumber_jobs_waiting', 'mynumber_bookings_today']) expect(metrics, name).toContain(name);
	const clerk = await (await browser.newContext()).newPage();
	await uiLogin(clerk, b.url, 'clerk');
	expect((await clerk.goto(`${b.url}/staff/status`))?.status()).toBe(403);
});
