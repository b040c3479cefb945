import { expect, test } from '@playwright/test';
import pg from 'pg';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS, e2eState } from './state.ts';
import { nodes, openDay, uiLogin } from './helpers.ts';

async function freeCards(n: number, offset: number): Promise<{ noticeId: string; birthDate: string }[]> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		const { rows } = await c.query(
			`SELECT notice_id, birth_date::text AS birth_date FROM card_records WHERE status = 'notice_sent' ORDER BY id LIMIT $1 OFFSET $2`,
			[n, offset]
		);
		return rows.map((r) => ({ noticeId: r.notice_id, birthDate: r.birth_date }));
	} finally {
		await c.end();
	}
}

test('R-C05 R-C15 R-C08 R-C07 R-C03 a citizen books a household visit: hold, precautions, persons, booking number; staff see it live', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, b.url, 2, 4);
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const citizen = await phone.newPage();
	await citizen.goto(`${b.url}/locations/2?month=${date.slice(0, 7)}`);
	await citizen.locator(`a[data-date="${date}"]`).click();
	await expect(citizen).toHaveURL(new RegExp(`/locations/2/day/${date}$`));
	await expect(citizen.getByRole('status')).toHaveAttribute('data-state', 'live');
	const first = citizen.locator('label.time:not(.disabled)').first();
	const slotId = await first.getAttribute('data-slot-id');
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-day-phone.png`, fullPage: true });

	const staff = await (await browser.newContext()).newPage();
	await uiLogin(staff, a.url, 'viewer');
	await staff.goto(`${a.url}/staff/slots?locationId=2&date=${date}`);
	await expect(staff.getByRole('status').first()).toHaveAttribute('data-state', 'live');
	const held = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="held"]`);
	const booked = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="booked"]`);
	await expect(held).toHaveText('0');

	await first.click();
	await citizen.getByLabel('来庁する人数（ご家族を含む）').selectOption('2');
	await citizen.getByRole('button', { name: 'この時間で進む' }).click();
	await expect(citizen).toHaveURL(/\/reserve\/[0-9a-f-]{36}$/);
	// The hold counts as taken for everyone, at once (R-C15).
	await expect(held).toHaveText('2', { timeout: 2000 });
	await expect(citizen.getByRole('status')).toContainText('残り');
	await expect(citizen.getByRole('heading', { name: '注意事項' })).toBeVisible();
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-reserve-phone.png`, fullPage: true });
	const axe = await new AxeBuilder({ page: citizen }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);

	const [p1, p2] = await freeCards(2, 40);
	// A wrong birth date: a message that never says which part was wrong (R-C03), and nothing booked.
	await citizen.getByLabel('注意事項を読み、確認しました').check();
	await citizen.locator('input[name="noticeId0"]').fill(p1.noticeId);
	await citizen.locator('input[name="birthDate0"]').fill('1901-01-01');
	await citizen.locator('input[name="noticeId1"]').fill(p2.noticeId);
	await citizen.locator('input[name="birthDate1"]').fill(p2.birthDate);
	await citizen.getByRole('button', { name: '予約を確定する' }).click();
	await expect(citizen.getByRole('alert')).toBeVisible();
	const msg = (await citizen.getByRole('alert').textContent()) ?? '';
	// Both parts are named, so the message does not tell which one was wrong.
	expect(msg).toContain('交付通知書番号または生年月日');
	await expect(booked).toHaveText('0');

	await citizen.locator('input[name="birthDate0"]').fill(p1.birthDate);
	await citizen.getByRole('button', { name: '予約を確定する' }).click();
	await expect(citizen.getByRole('heading', { name: '予約が完了しました' })).toBeVisible();
	await expect(citizen.locator('[data-booking-number]')).not.toBeEmpty();
	await citizen.screenshot({ path: `${ARTIFACTS}/screenshots/citizen-done-phone.png`, fullPage: true });
	await expect(booked).toHaveText('2', { timeout: 2000 });
	await expect(held).toHaveText('0');
});

test('R-C15 giving the held time back releases it at once', async ({ browser, request }) => {
	const { a, b } = nodes();
	const date = await openDay(request, b.url, 3, 4);
	const citizen = await (await browser.newContext()).newPage();
	await citizen.goto(`${b.url}/locations/3/day/${date}`);
	const first = citizen.locator('label.time:not(.disabled)').first();
	const slotId = await first.getAttribute('data-slot-id');
	await first.click();
	await citizen.getByRole('button', { name: 'この時間で進む' }).click();
	await expect(citizen).toHaveURL(/\/reserve\//);
	const staff = await (await browser.newContext()).newPage();
	await uiLogin(staff, a.url, 'viewer');
	await staff.goto(`${a.url}/staff/slots?locationId=3&date=${date}`);
	const held = staff.locator(`tr[data-slot-id="${slotId}"] [data-field="held"]`);
	await expect(held).toHaveText('1');
	await citizen.getByRole('button', { name: 'この時間を取り消す' }).click();
	await expect(citizen).toHaveURL(new RegExp(`/locations/3/day/${date}$`));
	await expect(held).toHaveText('0', { timeout: 2000 });
	// The hold's page is gone for good.
	await citizen.goBack();
	await citizen.reload();
	await expect(citizen.getByRole('alert')).toContainText('もう一度時間を選んでください');
});
