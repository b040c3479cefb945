import { expect, test } from '@playwright/test';
import { startBalancer } from '../harness/balancer.ts';
import { startNode } from './global-setup.ts';
import { readFileSync } from 'node:fs';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, openDay, setCapacity, staffSlots, uiLogin } from './helpers.ts';

/**
 * R-O01 R-L04: a node dies; its clients reconnect through the balancer to the other node and
 * re-sync. A third node (C) of its own is used so the shared nodes A and B stay up for other tests.
 */
test('R-O01 R-L04 R-L02 killing a node: its staff page and wall board show the indicator, reconnect to another node and re-sync', async ({ page, browser, request }) => {
	const state = e2eState();
	const c = await startNode('c', { ...state.env, SEED_DEMO: 'false' });
	const lb = await startBalancer([{ port: c.port }, { port: state.nodes.b.port }]);
	try {
		const date = await openDay(request, state.nodes.a.url, 2, 1);
		const token = await apiLogin(request, state.nodes.a.url, 'supervisor');
		const [slot] = await staffSlots(request, state.nodes.a.url, token, 2, date);

		await uiLogin(page, lb.url, 'clerk');
		await page.goto(`${lb.url}/staff/slots?locationId=2&date=${date}`);
		const indicator = page.getByRole('status').first();
		await expect(indicator).toHaveAttribute('data-state', 'live');
		const cap = page.locator(`tr[data-slot-id="${slot.id}"] [data-field="capacity"]`);
		const board = await (await browser.newContext()).newPage();
		await uiLogin(board, lb.url, 'viewer');
		await board.goto(`${lb.url}/board/2`);
		const boardState = board.getByRole('status');
		await expect(boardState).toHaveAttribute('data-state', 'live');

		process.kill(c.pid, 'SIGKILL');
		await expect(boardState).toHaveAttribute('data-state', 'reconnecting');
		await expect(indicator).toHaveAttribute('data-state', 'reconnecting');
		await expect(indicator).toContainText('再接続中');
		// Changed while the page was cut off: the re-sync after reconnecting must bring it.
		await setCapacity(request, state.nodes.a.url, token, slot.id, slot.capacity + 5);
		await expect(indicator).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
		await expect(cap).toHaveText(String(slot.capacity + 5));
		// And live pushes flow again, now from node B.
		await setCapacity(request, state.nodes.a.url, token, slot.id, slot.capacity + 6);
		await expect(cap).toHaveText(String(slot.capacity + 6), { timeout: 2000 });
		// The board came back by itself, without a reload.
		await expect(boardState).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
	} finally {
		await lb.close();
		try {
			process.kill(c.pid, 'SIGKILL');
		} catch {
			/* already dead */
		}
	}
});

test('R-O08 SIGTERM stops a node gracefully: it drains (readyz 503 while still serving), closes its sockets and exits by itself', async ({ page }) => {
	const state = e2eState();
	const d = await startNode('d', { ...state.env, SEED_DEMO: 'false', SHUTDOWN_DRAIN_MS: '3000' });
	await page.goto(`${d.url}/locations/1`);
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	const t0 = Date.now();
	process.kill(d.pid, 'SIGTERM');
	// Draining: balancers are told at once, while requests are still served (and not kept alive).
	await expect.poll(async () => (await fetch(`${d.url}/readyz`)).status).toBe(503);
	const ready = await fetch(`${d.url}/readyz`);
	expect(await ready.json()).toEqual({ status: 'draining' });
	const served = await fetch(`${d.url}/api/v1/locations`);
	expect(served.status).toBe(200);
	expect(served.headers.get('connection')).toBe('close');
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'live');
	// After the drain the open page's socket is closed by the server, so the page says it is reconnecting.
	await expect(page.getByRole('status')).toHaveAttribute('data-state', 'reconnecting', { timeout: 10_000 });
	let alive = true;
	while (alive && Date.now() - t0 < 20_000) {
		await new Promise((r) => setTimeout(r, 100));
		try {
			process.kill(d.pid, 0);
		} catch {
			alive = false;
		}
	}
	expect(alive).toBe(false);
	const log = readFileSync(`${ARTIFACTS}/node-d.log`, 'utf8');
	expect(log).toContain('"msg":"shutting down: draining"');
	expect(log).toContain('"msg":"stopped"');
});
