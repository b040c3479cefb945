import { expect, test } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { ARTIFACTS, e2eState } from './state.ts';

/**
 * R-O05: runs last (file name), after every other e2e test drove citizens and staff through both
 * nodes: no log line of either node carries a seeded name (kanji or kana), birth date, notice ID
 * or email address of a citizen, nor a password or session token.
 */
test('R-O05 no personal data in any node log line after the whole e2e run', async () => {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	const cards = (await c.query(`SELECT name_kanji, name_kana, notice_id, to_char(birth_date, 'YYYY-MM-DD') AS birth, to_char(birth_date, 'YYYYMMDD') AS birth8 FROM card_records`)).rows;
	const emails = (
		await c.query(`SELECT email FROM reservations WHERE email IS NOT NULL UNION SELECT email FROM citizen_links UNION SELECT email FROM citizen_sessions`).catch(() => ({ rows: [] as { email: string }[] }))
	).rows.map((r) => r.email as string);
	await c.end();
	expect(cards.length).toBeGreaterThan(100);

	// The node logs are appended to across runs: read this run's part, from the first line of this
	// run's node process (its pid is in the state file) to the end.
	const pids = Object.values(e2eState().nodes).map((n) => n.pid);
	const logs = readdirSync(ARTIFACTS)
		.filter((f) => /^node-.*\.log$/.test(f))
		.map((f) => {
			const all = readFileSync(`${ARTIFACTS}/${f}`, 'utf8');
			const starts = pids.map((p) => all.indexOf(`"pid":${p},`)).filter((i) => i >= 0);
			const from = starts.length ? all.lastIndexOf('\n', Math.min(...starts)) + 1 : 0;
			return { f, text: all.slice(from) };
		});
	expect(logs.length).toBeGreaterThanOrEqual(2);
	const needles: [string, string][] = [];
	for (const r of cards) {
		needles.push(['name', r.name_kanji], ['name kana', r.name_kana], ['notice ID', r.notice_id], ['birth date', r.birth], ['birth date', r.birth8]);
		// names also without the space between family and given name
		needles.push(['name', String(r.name_kanji).replace(/\s+/g, '')]);
	}
	for (const e of emails) needles.push(['email', e]);
	needles.push(['password', e2eState().env.DEMO_PASSWORD]);
	const found: string[] = [];
	for (const { f, text } of logs) {
		for (const [kind, value] of needles) {
			if (!value || value.length < 4) continue;
			const at = text.indexOf(value);
			if (at >= 0) found.push(`${f}: ${kind} at offset ${at}`);
		}
		// session tokens (JWTs) and manage/link tokens in URLs
		if (/eyJ[\w-]{10,}\.[\w-]{10,}\./.test(text)) found.push(`${f}: a JWT`);
		if (/\/(start|manage)\/[\w-]{16,}/.test(text)) found.push(`${f}: a token URL`);
	}
	expect(found).toEqual([]);
});
