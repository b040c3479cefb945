import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

/**
 * Issue 17 (one look): the settings pages in the token colours, for a person to compare with earlier screenshots, and
 * axe's WCAG 2.x AA check of them (R-C01 asks AA of every page; the tokens are where the contrast now comes from).
 */
const shots = `${ARTIFACTS}/screenshots`;

test('R-C01 the settings pages in the design-token colours, desktop: screenshots and no contrast violations', async ({ browser }) => {
	const { a } = nodes();
	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await uiLogin(page, a.url, 'admin');
	for (const [name, path] of [
		['settings', '/staff/settings'],
		['settings-city', '/staff/settings/city'],
		['settings-retention', '/staff/settings/retention']
	] as const) {
		await page.goto(`${a.url}${path}`);
		await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
		await page.screenshot({ path: `${shots}/look-${name}-desktop.png`, fullPage: true });
		const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
		expect(axe.violations.map((v) => `${path} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	}
});
