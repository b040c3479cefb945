import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, uiLogin } from './helpers.ts';

async function shots(page: Page, name: string) {
	for (const [width, label] of [
		[1280, 'desktop'],
		[390, 'phone']
	] as const) {
		await page.setViewportSize({ width, height: 900 });
		await page.screenshot({ path: `${ARTIFACTS}/screenshots/${name}-${label}.png`, fullPage: true });
	}
	await page.setViewportSize({ width: 1280, height: 900 });
}

test('R-O03 on two running nodes the 操作ログ rows are sealed by the sealer within seconds of commit, and the admin page\'s tamper check passes', async ({ page, request }) => {
	const { a, b } = nodes();
	const db = new pg.Client({ connectionString: e2eState().databaseUrl });
	await db.connect();
	try {
		// audited actions on both nodes (logins write an audit row each)
		await apiLogin(request, a.url, 'admin');
		await apiLogin(request, b.url, 'supervisor');
		const { rows: [{ max }] } = await db.query(`SELECT max(id)::text AS max FROM audit_log`);
		const started = Date.now();
		await expect
			.poll(async () => (await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE id <= $1 AND seq IS NULL`, [max])).rows[0].n, { timeout: 5_000, intervals: [50] })
			.toBe(0);
		expect(Date.now() - started).toBeLessThan(3_000);
		// sealed in one chain: no seq twice, none missing up to the head
		const { rows: [c] } = await db.query(`SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d, max(seq)::int AS m FROM audit_log WHERE seq IS NOT NULL`);
		expect(c.n).toBe(c.d);
		const { rows: [anchor] } = await db.query(`SELECT coalesce((SELECT seq FROM audit_chain_anchor), 0)::int AS s`);
		expect(c.m - anchor.s).toBe(c.n);

		// While a sealer is at work (here: this client holds the sealer's lock, as a node mid-pass would),
		// fresh rows wait; the page counts them as pending, not as a fault.
		await db.query('BEGIN');
		await db.query('SELECT pg_advisory_xact_lock(727002)');
		await uiLogin(page, a.url, 'admin');
		await page.goto(`${a.url}/staff/audit`);
		await page.getByRole('button', { name: '検査する' }).click();
		await expect(page.getByRole('status')).toContainText('改ざんは見つかりませんでした');
		await expect(page.getByRole('status')).toContainText(/直前に記録された \d+ 行は封印待ちです/);
		await shots(page, 'staff-audit-pending');
		await db.query('COMMIT');
		const { rows: [{ last }] } = await db.query(`SELECT max(id)::text AS last FROM audit_log`);
		await expect
			.poll(async () => (await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE id <= $1 AND seq IS NULL`, [last])).rows[0].n, { timeout: 5_000, intervals: [50] })
			.toBe(0);
	} finally {
		await db.end();
	}

	await page.getByRole('button', { name: '検査する' }).click();
	await expect(page.getByRole('status')).toContainText('改ざんは見つかりませんでした');
	await expect(page.getByRole('status')).not.toContainText('封印待ち');
	await shots(page, 'staff-audit-sealer');
});
