import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import { ARTIFACTS } from './state.ts';
import { nodes, uiLogin } from './helpers.ts';

/**
 * R-O09: an admin sets the retention rules in days on 「データの保存期間」: a value out of bounds is
 * refused with a Japanese message at the field and nothing is saved; the dry run lists each table.
 * (Nothing is purged here: the other specs share this database.)
 */
/**
 * The machine's Chromium has no Japanese font: for screenshots that a person reads, the page gets
 * the Noto Sans JP the PDFs embed (from npm), served by the test itself.
 */
async function withJapaneseFont(page: Page) {
	const req = createRequire(import.meta.url);
	const pkg = '@expo-google-fonts/noto-sans-jp';
	await page.route('**/__e2e-font-400.ttf', (r) => r.fulfill({ path: req.resolve(`${pkg}/400Regular/NotoSansJP_400Regular.ttf`), contentType: 'font/ttf' }));
	await page.route('**/__e2e-font-700.ttf', (r) => r.fulfill({ path: req.resolve(`${pkg}/700Bold/NotoSansJP_700Bold.ttf`), contentType: 'font/ttf' }));
	await page.addStyleTag({
		content: `@font-face { font-family: 'E2E JP'; font-weight: 100 500; src: url('/__e2e-font-400.ttf'); }
			@font-face { font-family: 'E2E JP'; font-weight: 600 900; src: url('/__e2e-font-700.ttf'); }
			* { font-family: 'E2E JP', sans-serif !important; }`
	});
	await page.evaluate(async () => {
		await Promise.all([document.fonts.load("400 16px 'E2E JP'", 'あ'), document.fonts.load("700 16px 'E2E JP'", 'あ')]);
		await document.fonts.ready;
	});
	await page.waitForTimeout(300);
}

test('R-O09 an admin sets the day rules on the retention page: bounds are explained, a bad value is refused at its field, a good one saved', async ({ page }) => {
	const { a } = nodes();
	await uiLogin(page, a.url, 'admin');
	await page.goto(`${a.url}/staff/settings/retention`);
	await expect(page.getByRole('heading', { name: 'データの保存期間' })).toBeVisible();
	const preview = page.getByTestId('retention-preview');
	for (const table of ['citizen_links', 'citizen_sessions', 'holds', 'outbox', 'bulk_mail_recipients', 'person_notes', 'card_status_history', 'card_record_changes', 'card_records']) {
		await expect(preview.getByText(table, { exact: true }).first()).toBeVisible();
	}
	const holds = page.getByLabel('仮押さえ（日）');
	await expect(holds).toHaveValue('30');
	await expect(page.getByText('1〜365 日、初期値 30 日、空欄は無期限').first()).toBeVisible();

	await holds.fill('0');
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.getByRole('alert')).toContainText('入力内容を確認してください');
	await expect(page.getByText('1〜365 日で入力してください（空欄は無期限）。')).toBeVisible();
	await expect(holds).toHaveAttribute('aria-invalid', 'true');
	// the refused value stays in its field; the 保存 button is readable (white on the settings blue)
	await expect(holds).toHaveValue('0');
	const [fg, bg] = await page.getByRole('button', { name: '保存' }).evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
	expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
	await withJapaneseFont(page);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/retention-error.png`, fullPage: true });

	await holds.fill('45');
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.getByRole('status').filter({ hasText: '保存しました' })).toBeVisible();
	await page.reload();
	await expect(page.getByLabel('仮押さえ（日）')).toHaveValue('45');
	const axe = await new AxeBuilder({ page }).analyze();
	expect(axe.violations.map((v) => v.id)).toEqual([]);
	await withJapaneseFont(page);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/retention-desktop.png`, fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/retention-phone.png`, fullPage: true });

	// back to the default for the other specs
	await page.getByLabel('仮押さえ（日）').fill('30');
	await page.getByRole('button', { name: '保存' }).click();
	await expect(page.getByRole('status').filter({ hasText: '保存しました' })).toBeVisible();
});

/** WCAG contrast ratio of two computed `rgb(…)` colours. */
function contrast(a: string, b: string): number {
	const lum = (c: string) => {
		const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
			const x = Number(v) / 255;
			return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
		});
		return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
	};
	const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
	return (hi + 0.05) / (lo + 0.05);
}
