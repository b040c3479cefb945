import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import iconv from 'iconv-lite';
import { ARTIFACTS } from './state.ts';
import { apiLogin, nodes, openDay, staffSlots, uiLogin } from './helpers.ts';

/** 「カードデータ取込」 and 「カード検索」 as a clerk would use them (R-S02, R-S03, R-S08, R-S09), looked at on a desktop and a phone. */
const shots = `${ARTIFACTS}/screenshots`;
const HEADER = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';
const stamp = String(Date.now()).slice(-6);
const row = (i: number, over: Partial<{ kana: string; birth: string }> = {}) =>
	`E2E-${stamp}-${String(i).padStart(4, '0')},見本 花子,${over.kana ?? 'エトウ ハナコ'},${over.birth ?? '昭和60年1月2日'},女,見本市1-2-3,北支所,箱E-${String(i).padStart(3, '0')},2026/11/20`;

test('R-S02 R-S03 a clerk imports a Shift_JIS file on the page; a bad file shows every error with its line; a large file goes through the API', async ({ browser, request }) => {
	const { a, b } = nodes();
	for (const [name, viewport] of [
		['desktop', { width: 1280, height: 900 }],
		['phone', { width: 375, height: 812 }]
	] as const) {
		const page = await (await browser.newContext({ viewport })).newPage();
		await uiLogin(page, a.url, 'clerk');
		await page.getByRole('link', { name: 'カードデータ取込' }).click();
		await expect(page.getByRole('heading', { name: 'カードデータ取込' })).toBeVisible();
		if (name === 'desktop') {
			const bad = [HEADER, row(1), row(2, { kana: 'etou' }), row(3, { birth: '平成31年5月1日' }), row(1)].join('\r\n');
			await page.getByLabel('カード作成情報の CSV ファイル').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
			await page.getByRole('button', { name: '取り込む', exact: true }).click();
			await expect(page.getByRole('alert')).toContainText('3件の誤り');
			const table = page.getByRole('table', { name: '取り込めない行の一覧' });
			await expect(table.locator('tbody tr')).toHaveCount(3);
			await expect(table.locator('tbody tr').nth(0)).toContainText('3氏名カナ');
			await expect(table.locator('tbody tr').nth(1)).toContainText('平成の期間外');
			await expect(table.locator('tbody tr').nth(2)).toContainText('2行目 と同じ');
			await page.screenshot({ path: `${shots}/staff-import-errors-${name}.png`, fullPage: true });
			const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
			expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
		}
		const good = iconv.encode([HEADER, ...Array.from({ length: 12 }, (_, i) => row(i + 1))].join('\r\n'), 'cp932');
		await page.getByLabel('カード作成情報の CSV ファイル').setInputFiles({ name: 'cards-sjis.csv', mimeType: 'text/csv', buffer: good });
		await page.locator('#card-encoding').selectOption('shift_jis');
		await page.getByRole('button', { name: '取り込む', exact: true }).click();
		const done = page.getByRole('status').filter({ hasText: '取り込みました' });
		await expect(done).toContainText('Shift_JIS');
		// the second pass (phone) re-imports the same file: nothing changes
		await expect(done.locator('[data-field=created]')).toHaveText(name === 'desktop' ? '12件' : '0件');
		await expect(done.locator('[data-field=unchanged]')).toHaveText(name === 'desktop' ? '0件' : '12件');
		if (name === 'desktop') {
			// R-S16: a booking taken before go-live for the last card, at the first slot of an open day of 北支所
			const token = await apiLogin(request, a.url, 'clerk');
			const day = await openDay(request, a.url, 2, 5);
			const slot = (await staffSlots(request, a.url, token, 2, day)).find((s) => s.booked + s.held < s.capacity)!;
			const hhmm = new Date(slot.startsAt).toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });
			const csv = ['予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻', `OLD-1,E2E-${stamp}-0012,昭和60年1月2日,kita,${day},${hhmm}`].join('\r\n');
			await page.getByLabel('予約データの CSV ファイル').setInputFiles({ name: 'old.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
			await page.getByRole('button', { name: '予約を取り込む' }).click();
			await expect(page.getByRole('status').filter({ hasText: '予約を取り込みました' })).toContainText('1件（1人）');
		}
		await page.screenshot({ path: `${shots}/staff-import-${name}.png`, fullPage: true });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
	}

	// The sample downloads, and a 20,000-row file (≈2.5 MB, over adapter-node's default body limit) imports through the API on the other node.
	const token = await apiLogin(request, b.url, 'clerk');
	const sample = await request.get(`${b.url}/api/v1/staff/imports/cards/sample.csv`, { headers: { authorization: `Bearer ${token}` } });
	expect(sample.status()).toBe(200);
	expect((await sample.body()).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
	const big = [HEADER, ...Array.from({ length: 20_000 }, (_, i) => row(1000 + i, { kana: 'オオクラ ジロウ' }))].join('\r\n');
	const r = await request.post(`${b.url}/api/v1/staff/imports/cards`, { headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8' }, data: Buffer.from(big) });
	expect(r.status(), await r.text()).toBe(200);
	expect(await r.json()).toMatchObject({ created: 20_000, updated: 0, unchanged: 0 });
	const viewer = await apiLogin(request, b.url, 'viewer');
	const refused = await request.post(`${b.url}/api/v1/staff/imports/cards`, { headers: { authorization: `Bearer ${viewer}`, 'content-type': 'text/csv' }, data: Buffer.from(HEADER) });
	expect(refused.status()).toBe(403);
});

test('R-S09 R-S08 a clerk finds cards by kana, changes the ticked ones to 返戻 with a note, sees the summary, the history and the export', async ({ browser }) => {
	const { a } = nodes();
	for (const [name, viewport] of [
		['desktop', { width: 1280, height: 900 }],
		['phone', { width: 375, height: 812 }]
	] as const) {
		const page = await (await browser.newContext({ viewport, acceptDownloads: true })).newPage();
		await uiLogin(page, a.url, 'clerk');
		await page.getByRole('link', { name: 'カード検索' }).click();
		await page.getByLabel('氏名カナ（前方一致）').fill('えとう');
		await page.getByLabel('交付通知書番号（前方一致）').fill(`E2E-${stamp}`);
		await page.getByRole('button', { name: '検索' }).click();
		await expect(page.locator('[data-field=total]')).toContainText('12件中 1〜12件');
		await page.getByRole('link', { name: /保管場所・位置/ }).click();
		await expect(page).toHaveURL(/sort=storage/);
		if (name === 'desktop') {
			const rows = page.locator('tbody tr');
			await rows.nth(0).getByRole('checkbox').check();
			await rows.nth(1).getByRole('checkbox').check();
			await page.getByLabel('変更後の状態').selectOption({ label: '返戻' });
			await page.getByLabel('メモ（理由など）').fill('宛先不明で返戻');
			await page.getByRole('button', { name: '変更する' }).click();
			await expect(page.locator('[data-field=summary]')).toContainText('「返戻」に変更しました：2件');
			await expect(rows.nth(0).locator('[data-field=status]')).toHaveText('返戻');
			await expect(rows.nth(2).locator('[data-field=status]')).toHaveText('通知書発送済');
			const download = page.waitForEvent('download');
			await page.getByRole('link', { name: 'Shift_JIS' }).click();
			const file = await (await download).path();
			const text = iconv.decode(await import('node:fs').then((fs) => fs.readFileSync(file!)), 'cp932');
			expect(text.split('\r\n')[0]).toBe('交付通知書番号,生年月日,氏名,氏名カナ,状態,保管場所,保管位置,予約番号,来庁日,来庁時刻,交付場所');
			expect(text.match(/返戻/g)?.length).toBe(2);
			// the card booked by the R-S16 import shows its visit
			await expect(rows.nth(11).locator('[data-field=status]')).toHaveText('予約済');
			await expect(rows.nth(11)).toContainText('北支所・');
		}
		await page.screenshot({ path: `${shots}/staff-cards-${name}.png`, fullPage: true });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
		if (name === 'desktop') {
			const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
			expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
			await page.locator('tbody tr').nth(0).getByRole('link', { name: /履歴/ }).click();
			await expect(page.getByRole('table')).toContainText('通知書発送済 → 返戻');
			await expect(page.getByRole('table')).toContainText('宛先不明で返戻');
			await page.screenshot({ path: `${shots}/staff-card-history-${name}.png`, fullPage: true });
		}
	}
});
