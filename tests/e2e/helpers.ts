import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { DEMO_PASSWORD, e2eState } from './state.ts';
import type { StaffSlot } from '../../src/lib/server/scheduling/capacity.ts';

export const nodes = () => e2eState().nodes;

export async function apiLogin(request: APIRequestContext, base: string, userId: string, password = DEMO_PASSWORD): Promise<string> {
	const r = await request.post(`${base}/api/v1/staff/session`, { data: { userId, password } });
	expect(r.status()).toBe(200);
	return (await r.json()).token;
}

export async function staffSlots(request: APIRequestContext, base: string, token: string, locationId: number, date: string): Promise<StaffSlot[]> {
	const r = await request.get(`${base}/api/v1/staff/slots?locationId=${locationId}&date=${date}`, { headers: { authorization: `Bearer ${token}` } });
	expect(r.status()).toBe(200);
	return (await r.json()).slots;
}

export async function setCapacity(request: APIRequestContext, base: string, token: string, slotId: string, capacity: number) {
	const r = await request.patch(`${base}/api/v1/staff/slots/${slotId}`, {
		headers: { authorization: `Bearer ${token}` },
		data: { capacity, reason: 'E2E テスト' }
	});
	expect(r.status(), await r.text()).toBe(200);
}

/**
 * A future day of `locationId` with open slots, counted from the end so that tests using
 * different `nth` values do not disturb each other.
 */
export async function openDay(request: APIRequestContext, base: string, locationId: number, nth = 0): Promise<string> {
	const r = await request.get(`${base}/api/v1/locations/${locationId}/availability`);
	expect(r.status()).toBe(200);
	const days: { date: string; level: string }[] = (await r.json()).days;
	const open = days.filter((d) => d.level === 'many');
	expect(open.length, 'the demo city should have open days').toBeGreaterThan(nth);
	return open[open.length - 1 - nth].date;
}

export async function uiLogin(page: Page, base: string, userId: string, password = DEMO_PASSWORD) {
	await page.goto(`${base}/staff/login`);
	await page.getByLabel('ユーザーID').fill(userId);
	await page.getByLabel('パスワード').fill(password);
	await page.getByRole('button', { name: 'ログイン' }).click();
	// argon2 takes its time on purpose, and much longer on a machine shared with other work.
	await expect(page).toHaveURL(/\/staff$/, { timeout: 20_000 });
}
