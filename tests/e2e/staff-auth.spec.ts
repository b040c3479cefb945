import { expect, test } from '@playwright/test';
import pg from 'pg';
import argon2 from 'argon2';
import { e2eState } from './state.ts';
import { apiLogin, nodes, uiLogin } from './helpers.ts';

test('R-S01 a wrong password gets a generic message that never says which part was wrong', async ({ page }) => {
	const { a } = nodes();
	await page.goto(`${a.url}/staff/login`);
	await page.getByLabel('ユーザーID').fill('viewer');
	await page.getByLabel('パスワード').fill('definitely-wrong');
	await page.getByRole('button', { name: 'ログイン' }).click();
	await expect(page.getByRole('alert')).toHaveText('ユーザーIDまたはパスワードが正しくありません。');
	await page.getByLabel('ユーザーID').fill('no-such-user');
	await page.getByLabel('パスワード').fill('definitely-wrong');
	await page.getByRole('button', { name: 'ログイン' }).click();
	await expect(page.getByRole('alert')).toHaveText('ユーザーIDまたはパスワードが正しくありません。');
});

test('R-S01 five wrong passwords lock the account and the message says when to retry', async ({ page }) => {
	const { a } = nodes();
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	await c.query(`INSERT INTO staff_users (login, display_name, role, password_hash) VALUES ('locktest', 'ロック 試験', 'clerk', $1)`, [
		await argon2.hash('right-password', { type: argon2.argon2id })
	]);
	await c.end();
	await page.goto(`${a.url}/staff/login`);
	for (let i = 0; i < 5; i++) {
		await page.getByLabel('ユーザーID').fill('locktest');
		await page.getByLabel('パスワード').fill(`wrong-${i}`);
		await page.getByRole('button', { name: 'ログイン' }).click();
		await expect(page.getByRole('alert')).toBeVisible();
	}
	await expect(page.getByRole('alert')).toContainText(/アカウントを一時的にロックしました。\d{2}:\d{2} 以降に再度お試しください。/);
	await page.getByLabel('パスワード').fill('right-password');
	await page.getByRole('button', { name: 'ログイン' }).click();
	await expect(page.getByRole('alert')).toContainText('ロック');
});

test('R-S01 staff pages need a session; logout ends it on every node', async ({ page, request }) => {
	const { a, b } = nodes();
	await page.goto(`${a.url}/staff/slots`);
	await expect(page).toHaveURL(/\/staff\/login/);
	await uiLogin(page, a.url, 'viewer');
	await page.goto(`${b.url.replace('127.0.0.1', '127.0.0.1')}/staff`);
	// Cookies are per host:port, so node B needs its own login; a bearer token works on both.
	const token = await apiLogin(request, a.url, 'viewer');
	const onB = await request.get(`${b.url}/api/v1/staff/cards?limit=1`, { headers: { authorization: `Bearer ${token}` } });
	expect(onB.status()).toBe(200);
	const out = await request.delete(`${a.url}/api/v1/staff/session`, { headers: { authorization: `Bearer ${token}` } });
	expect(out.status()).toBe(204);
	const after = await request.get(`${b.url}/api/v1/staff/cards?limit=1`, { headers: { authorization: `Bearer ${token}` } });
	expect(after.status()).toBe(401);

	await page.goto(`${a.url}/staff`);
	await page.getByRole('button', { name: 'ログアウト' }).click();
	await expect(page).toHaveURL(/\/staff\/login$/);
	await page.goto(`${a.url}/staff`);
	await expect(page).toHaveURL(/\/staff\/login/);
});
