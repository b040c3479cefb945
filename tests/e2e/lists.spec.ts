import { expect, test, type APIRequestContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS } from './state.ts';
import { apiLogin, nodes, openDay, staffSlots, uiLogin } from './helpers.ts';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** Books one free demo card at location 2 (北支所) on `date`; returns the booking number. */
async function bookOne(request: APIRequestContext, base: string, token: string, date: string): Promise<string> {
	const slots = await staffSlots(request, base, token, 2, date);
	const cards = (await (await request.get(`${base}/api/v1/staff/cards?status=notice_sent&limit=30&offset=120`, { headers: auth(token) })).json()).items;
	for (const c of cards) {
		const r = await request.post(`${base}/api/v1/staff/reservations`, { headers: auth(token), data: { slotId: slots[1].id, persons: [{ noticeId: c.noticeId, birthDate: c.birthDate }] } });
		if (r.status() === 201) return (await r.json()).bookingNumber;
	}
	throw new Error('no free demo card');
}

test('R-S10 R-S11 a clerk downloads the pull list as a PDF from 帳票出力; too long a range is refused on the form; Shift_JIS CSV from the other node', async ({ page, request }) => {
	const { a, b } = nodes();
	const token = await apiLogin(request, a.url, 'clerk');
	const date = await openDay(request, a.url, 2, 5);
	const bookingNumber = await bookOne(request, a.url, token, date);

	await page.setViewportSize({ width: 1280, height: 900 });
	await uiLogin(page, a.url, 'clerk');
	await page.getByRole('link', { name: '帳票出力' }).click();
	await expect(page).toHaveURL(/\/staff\/lists$/);
	const form = page.getByRole('form', { name: '帳票出力' });
	await form.getByRole('radio', { name: /引き抜きリスト/ }).check();
	await form.getByRole('combobox', { name: '交付場所' }).selectOption({ label: '北支所' });
	await form.getByLabel('開始日').fill(date);
	await form.getByLabel('終了日').fill(date);
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/lists-desktop.png`, fullPage: true });
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
	const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'ダウンロード' }).click()]);
	expect(download.suggestedFilename()).toBe(`引き抜きリスト_北支所_${date}.pdf`);
	const file = `${ARTIFACTS}/lists-e2e-pull.pdf`;
	await download.saveAs(file);
	expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

	// 100 days: refused, the form comes back with the message and what was chosen
	const far = new Date(Date.parse(date) + 100 * 86_400_000).toISOString().slice(0, 10);
	await form.getByLabel('終了日').fill(far);
	await form.getByRole('button', { name: 'ダウンロード' }).click();
	await expect(page.getByRole('alert')).toContainText('期間は93日以内で指定してください');
	await expect(form.getByLabel('終了日')).toHaveValue(far);
	await expect(form.getByRole('radio', { name: /引き抜きリスト/ })).toBeChecked();

	await page.setViewportSize({ width: 375, height: 800 });
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/lists-phone.png`, fullPage: true });

	// The API on the other node: Shift_JIS CSV with a Japanese file name, never cached
	const csv = await request.get(`${b.url}/api/v1/staff/lists/reservations?locationId=2&from=${date}&to=${date}&format=csv&encoding=shift_jis`, { headers: auth(token) });
	expect(csv.status()).toBe(200);
	expect(csv.headers()['cache-control']).toBe('no-store');
	expect(decodeURIComponent(csv.headers()['content-disposition'].split("UTF-8''")[1])).toBe(`予約一覧_北支所_${date}.csv`);
	const text = iconv.decode(await csv.body(), 'cp932');
	expect(text.split('\r\n')[0]).toBe('日付,時間,予約番号,氏名,氏名カナ,交付通知書番号,人数/目的,予約の状態,状態,来庁');
	expect(text).toContain(bookingNumber);

	// viewers neither see the page nor get the file
	const viewer = await apiLogin(request, b.url, 'viewer');
	expect((await request.get(`${b.url}/api/v1/staff/lists/pull?from=${date}`, { headers: auth(viewer) })).status()).toBe(403);

	// described in the OpenAPI document from the same zod schema
	const doc = await (await request.get(`${b.url}/api/v1/openapi.json`)).json();
	const op = doc.paths['/api/v1/staff/lists/{kind}'].get;
	expect(op['x-required-role']).toBe('clerk');
	expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['kind', 'locationId', 'from', 'to', 'format', 'encoding']);
});

test('R-S11 R-S13 an admin sets transfer lead days and edits the no-show follow-up texts, then goes back to the standard text', async ({ page }) => {
	const { a } = nodes();
	await page.setViewportSize({ width: 1280, height: 900 });
	await uiLogin(page, a.url, 'admin');
	await page.goto(`${a.url}/staff/settings/lists`);
	const lead = page.getByRole('form', { name: '回送の日数' });
	await lead.getByLabel('標準の日数').fill('3');
	await lead.getByLabel('北支所から市役所本庁舎 市民課への日数').fill('4');
	await lead.getByRole('button', { name: '保存' }).click();
	await expect(lead.getByRole('status')).toContainText('保存しました');
	await page.reload();
	await expect(page.getByRole('form', { name: '回送の日数' }).getByLabel('北支所から市役所本庁舎 市民課への日数')).toHaveValue('4');

	const mail = page.getByRole('form', { name: '未来庁フォローアップメール' });
	await mail.getByLabel('件名（日本語）').fill('再予約のお願い（予約番号 {{bookingNumber}}）');
	await mail.getByRole('button', { name: '保存' }).click();
	await expect(mail.getByRole('status')).toContainText('保存しました');
	await expect(mail.getByText('編集した文面を使用中です。')).toBeVisible();
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/lists-settings-desktop.png`, fullPage: true });
	const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
	await page.setViewportSize({ width: 375, height: 800 });
	await page.screenshot({ path: `${ARTIFACTS}/screenshots/lists-settings-phone.png`, fullPage: true });
	await mail.getByRole('button', { name: '標準の文面に戻す' }).click();
	await expect(mail.getByText('標準の文面を使用中です')).toBeVisible();
});
