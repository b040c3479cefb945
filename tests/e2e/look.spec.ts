import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { nodes, openDay, uiLogin } from './helpers.ts';

/** Screenshots for a person to look at (README, issue notes) and axe checks of WCAG 2.x AA (R-C01). */
const shots = `${ARTIFACTS}/screenshots`;

test('R-C01 R-C05 citizen calendar on a phone: Japanese, levels with symbol and text, no accessibility violations', async ({ browser, request }) => {
	const { b } = nodes();
	const date = await openDay(request, b.url, 2, 0);
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
	const page = await ctx.newPage();
	await page.goto(`${b.url}/`);
	await page.screenshot({ path: `${shots}/citizen-locations-phone.png`, fullPage: true });
	await page.getByRole('link', { name: /北支所/ }).click();
	await page.goto(`${b.url}/locations/2?month=${date.slice(0, 7)}`);
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	await expect(page.getByRole('table')).toContainText('空きあり');
	await page.screenshot({ path: `${shots}/citizen-calendar-phone.png`, fullPage: true });
	// No horizontal scrolling on a phone.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
});

test('R-C01 citizen calendar on a desktop, and in English', async ({ browser, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 1, 2);
	const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await page.goto(`${a.url}/locations/1?month=${date.slice(0, 7)}`);
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	await page.screenshot({ path: `${shots}/citizen-calendar-desktop.png`, fullPage: true });
	await page.getByRole('link', { name: 'English' }).click();
	await expect(page.getByRole('table')).toContainText('Sun');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.screenshot({ path: `${shots}/citizen-calendar-en.png`, fullPage: true });
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
});

test('R-S04 R-L01 staff slot page as a supervisor, desktop and phone', async ({ browser, request }) => {
	const { a } = nodes();
	const date = await openDay(request, a.url, 3, 1);
	for (const [name, viewport] of [
		['desktop', { width: 1280, height: 900 }],
		['phone', { width: 390, height: 844 }]
	] as const) {
		const page = await (await browser.newContext({ viewport })).newPage();
		await uiLogin(page, a.url, 'supervisor');
		await page.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
		await expect(page.getByRole('status').first()).toHaveAttribute('data-state', 'live');
		await page.screenshot({ path: `${shots}/staff-slots-${name}.png`, fullPage: true });
		// Wide tables scroll inside their box; the page itself never scrolls sideways.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
		if (name === 'desktop') {
			const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
			expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
		}
	}
	const login = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
	await login.goto(`${a.url}/staff/login`);
	await login.screenshot({ path: `${shots}/staff-login-phone.png` });
});
