import { expect, test, type APIRequestContext } from '@playwright/test';
import { readFileSync, statSync } from 'node:fs';
import pg from 'pg';
import argon2 from 'argon2';
import { io as connect } from 'socket.io-client';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, uiLogin } from './helpers.ts';

/**
 * One test per IPA class (安全なウェブサイトの作り方, R-O04): each sends the attack to the real
 * nodes and asserts the refusal. Plus the headers, /metrics, request sizes and a database outage.
 */
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Node log bytes so far: a probe must not leave an error (a 500 with a stack) behind. */
const logSizes = () => Object.fromEntries(['a', 'b'].map((n) => [n, statSync(`${ARTIFACTS}/node-${n}.log`).size]));
function errorsSince(sizes: Record<string, number>): string[] {
	return ['a', 'b'].flatMap((n) =>
		readFileSync(`${ARTIFACTS}/node-${n}.log`)
			.subarray(sizes[n])
			.toString()
			.split('\n')
			.filter((l) => /"level":(50|60)/.test(l) || /\n\s+at /.test(l))
	);
}

async function db<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		return await work(c);
	} finally {
		await c.end();
	}
}

/** A form action as a browser's enhanced form sends it (kit returns the result as JSON). */
function action(request: APIRequestContext, url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
	return request.post(url, { form, headers: { accept: 'application/json', 'x-sveltekit-action': 'true', origin: new URL(url).origin, ...headers } });
}

test('R-O04 SQL injection: quotes and SQL in search, IDs and login are data, never code', async ({ request }) => {
	const { a } = nodes();
	const token = await apiLogin(request, a.url, 'clerk');
	const before = await db((c) => c.query('SELECT count(*)::int AS n FROM card_records')).then((r) => r.rows[0].n);
	for (const q of ["' OR '1'='1", "'; DROP TABLE card_records; --", '%', '\\']) {
		const r = await request.get(`${a.url}/api/v1/staff/cards?q=${encodeURIComponent(q)}&limit=5`, { headers: bearer(token) });
		expect(r.status(), q).toBe(200);
		expect((await r.json()).cards ?? [], q).toHaveLength(0);
	}
	for (const id of ['1 OR 1=1', "1'--", '1;DELETE FROM slots']) {
		const r = await request.get(`${a.url}/api/v1/locations/${encodeURIComponent(id)}/availability`);
		expect(r.status(), id).toBe(400);
		expect(r.headers()['content-type']).toContain('application/problem+json');
	}
	const inj = await request.post(`${a.url}/api/v1/staff/session`, { data: { userId: "admin' --", password: "' OR '1'='1" } });
	expect(inj.status()).toBe(401);
	expect(await db((c) => c.query('SELECT count(*)::int AS n FROM card_records')).then((r) => r.rows[0].n)).toBe(before);
});

test('R-O04 XSS stored and reflected: markup from input is shown as text and never runs; the CSP carries a nonce', async ({ page, request }) => {
	const { a } = nodes();
	const payload = `XSS検査<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;
	const cookie = (await request.post(`${a.url}/api/v1/staff/session`, { data: { userId: 'admin', password: e2eState().env.DEMO_PASSWORD } })).headers()['set-cookie'];
	expect(cookie).toContain('mn_session=');
	const created = await action(request, `${a.url}/staff/settings?/createLocation`, { code: `xss${Date.now() % 100000}`, nameJa: payload.slice(0, 100), nameEn: 'XSS probe', addressJa: '', sortOrder: '9999' }, { cookie: cookie.split(';')[0] });
	expect(created.status()).toBe(200);
	expect((await created.json()).type).toBe('success');

	const dialogs: string[] = [];
	page.on('dialog', (d) => {
		dialogs.push(d.message());
		void d.dismiss();
	});
	await uiLogin(page, a.url, 'admin');
	await page.goto(`${a.url}/staff/settings`);
	await expect(page.getByText('XSS検査<script>', { exact: false }).first()).toBeVisible();
	expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

	// reflected: query strings and paths come back escaped, or not at all
	for (const path of ['/staff/login?next=%22%3E%3Cscript%3Ewindow.__xss%3D3%3C%2Fscript%3E', '/%3Cscript%3Ewindow.__xss%3D4%3C%2Fscript%3E', '/?lang=%3Cscript%3Ewindow.__xss%3D5%3C%2Fscript%3E']) {
		const r = await request.get(a.url + path);
		expect(await r.text(), path).not.toContain('<script>window.__xss');
		await page.goto(a.url + path);
		expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), path).toBeUndefined();
	}
	expect(dialogs).toEqual([]);

	// an injected inline script without the nonce does not run either (defence in depth)
	const res = await request.get(`${a.url}/`);
	const csp = res.headers()['content-security-policy'];
	const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
	expect(nonce).toBeTruthy();
	expect(await res.text()).toContain(`nonce="${nonce}"`);
	await page.goto(`${a.url}/`);
	const ran = await page.evaluate(() => {
		const s = document.createElement('script');
		s.textContent = 'window.__xss = 6';
		document.body.appendChild(s);
		return (window as unknown as { __xss?: number }).__xss;
	});
	expect(ran).toBeUndefined();
});

test('R-O04 CSRF and cross-site sockets: a page of another origin on the same site cannot act with the staff cookie', async ({ page, request }) => {
	const { a, b } = nodes();
	await uiLogin(page, a.url, 'admin');
	const tokensBefore = await db((c) => c.query('SELECT count(*)::int AS n FROM board_tokens')).then((r) => r.rows[0].n);
	// The attacker's page, served at another origin of the same site (127.0.0.1, another port): cookies go along.
	const evil = `${b.url}/evil-csrf.html`;
	await page.route(evil, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title><p>evil</p>' }));
	await page.goto(evil);
	const outcome = await page.evaluate(async (target) => {
		const json = await fetch(`${target}/api/v1/staff/board-tokens`, {
			method: 'POST',
			credentials: 'include',
			mode: 'no-cors',
			headers: { 'content-type': 'text/plain' },
			body: JSON.stringify({ locationId: 1, label: 'csrf' })
		}).then(
			() => 'sent',
			() => 'blocked'
		);
		const socket = await new Promise<string>((resolve) => {
			const ws = new WebSocket(`${target.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
			ws.onmessage = (m) => {
				if (String(m.data).startsWith('0')) ws.send('40/staff,');
				if (String(m.data).startsWith('40/staff')) resolve('joined');
			};
			ws.onerror = () => resolve('refused');
			setTimeout(() => resolve('timeout'), 4000);
		});
		return { json, socket };
	}, a.url);
	expect(outcome.socket).toBe('refused');
	// the form post of the attacker's page: kit refuses it (Origin)
	await page.setContent(`<form method="post" action="${a.url}/staff/boards?/issue"><input name="locationId" value="1"><input name="label" value="csrf"></form>`);
	const [formRes] = await Promise.all([page.waitForResponse((r) => r.url().includes('/staff/boards')), page.locator('form').evaluate((f: HTMLFormElement) => f.submit())]);
	expect(formRes.status()).toBe(403);
	// the same requests by API with a foreign Origin or Sec-Fetch-Site: 403 problem+json
	const cookie = (await page.context().cookies(a.url)).find((c) => c.name === 'mn_session')!;
	const foreign: Record<string, string>[] = [{ origin: b.url }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }];
	for (const h of foreign) {
		const r = await request.post(`${a.url}/api/v1/staff/board-tokens`, { headers: { cookie: `mn_session=${cookie.value}`, ...h }, data: { locationId: 1, label: 'csrf' } });
		expect(r.status(), JSON.stringify(h)).toBe(403);
		expect((await r.json()).code).toBe('cross_site');
	}
	expect(await db((c) => c.query('SELECT count(*)::int AS n FROM board_tokens')).then((r) => r.rows[0].n)).toBe(tokensBefore);
	// our own page still works
	const ok = await request.get(`${a.url}/api/v1/staff/board-tokens`, { headers: { cookie: `mn_session=${cookie.value}`, origin: a.url } });
	expect(ok.status()).toBe(200);
});

test('R-O04 R-S01 session fixation and reuse after logout: login always issues a new session, and a logged-out token is dead everywhere', async ({ page, request, context }) => {
	const { a, b } = nodes();
	await context.addCookies([{ name: 'mn_session', value: 'attacker-chosen-session', url: a.url }]);
	await uiLogin(page, a.url, 'viewer');
	const first = (await context.cookies(a.url)).find((c) => c.name === 'mn_session')!;
	expect(first.value).not.toBe('attacker-chosen-session');
	expect(first.httpOnly).toBe(true);
	expect(first.sameSite).toBe('Lax');
	// a second login is a second session, never the first one reused
	const t1 = await apiLogin(request, a.url, 'viewer');
	const t2 = await apiLogin(request, a.url, 'viewer');
	expect(t1).not.toBe(t2);
	await page.getByRole('button', { name: 'ログアウト' }).click();
	await expect(page).toHaveURL(/\/staff\/login$/);
	for (const base of [a.url, b.url]) {
		const replay = await request.get(`${base}/api/v1/staff/cards?limit=1`, { headers: bearer(first.value) });
		expect(replay.status()).toBe(401);
	}
	const cookieReplay = await request.get(`${a.url}/staff`, { headers: { cookie: `mn_session=${first.value}` }, maxRedirects: 0 });
	expect(cookieReplay.status()).toBe(303);
	expect(cookieReplay.headers().location).toContain('/staff/login');
});

test('R-O04 header and mail-header injection: CR/LF in parameters and addresses never reach a header', async ({ request }) => {
	const { a } = nodes();
	const r = await request.get(`${a.url}/?lang=ja%0d%0aSet-Cookie:%20evil=1%0d%0aX-Evil:%201`, { maxRedirects: 0 });
	expect(r.status()).toBeLessThan(500);
	expect(r.headers()['x-evil']).toBeUndefined();
	expect(r.headers()['set-cookie'] ?? '').not.toContain('evil=');
	const redirect = await request.get(`${a.url}/staff/slots%0d%0aX-Evil:%201`, { maxRedirects: 0 });
	expect(redirect.headers()['x-evil']).toBeUndefined();
	for (const email of ['a@example.com\r\nBcc: victim@example.net', 'a@example.com%0ABcc:victim@example.net', 'a@example.com\nSubject: spam']) {
		const m = await request.post(`${a.url}/api/v1/citizen/links`, { data: { email } });
		expect(m.status(), JSON.stringify(email)).toBe(400);
		expect(m.headers()['content-type']).toContain('application/problem+json');
	}
	const leaked = await db((c) => c.query(`SELECT (SELECT count(*) FROM outbox WHERE payload::text ILIKE '%victim@example.net%' OR payload::text ILIKE '%Subject: spam%') + (SELECT count(*) FROM citizen_links WHERE email ILIKE '%victim@%' OR email ~ '[\r\n]') AS n`));
	expect(Number(leaked.rows[0].n)).toBe(0);
});

test('R-O04 path traversal: dot-dot paths and encoded separators never leave the app', async ({ request }) => {
	const { a } = nodes();
	for (const path of ['/_app/../../../../etc/passwd', '/_app/immutable/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5c..%5cpackage.json', '/_app/..%2f..%2fpackage.json', '/favicon.svg/..%2f..%2f.env']) {
		const r = await request.get(a.url + path);
		const body = await r.text();
		expect(body, path).not.toContain('root:x:0:0');
		expect(body, path).not.toContain('"dependencies"');
		expect(body, path).not.toContain('JWT_SECRET');
		expect(r.status(), path).toBeLessThan(500);
	}
	const api = await request.get(`${a.url}/api/v1/locations/..%2f..%2fetc%2fpasswd/availability`);
	expect([400, 404]).toContain(api.status());
});

test('R-O04 clickjacking: no page of ours can be framed, by header and by CSP', async ({ page, request }) => {
	const { a, b } = nodes();
	for (const path of ['/', '/staff/login', '/api/v1/locations']) {
		const r = await request.get(a.url + path);
		expect(r.headers()['x-frame-options'], path).toBe('DENY');
	}
	expect((await request.get(`${a.url}/staff/login`)).headers()['content-security-policy']).toContain("frame-ancestors 'none'");
	const evil = `${b.url}/evil-frame.html`;
	await page.route(evil, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html><iframe src="${a.url}/staff/login" width="800" height="600"></iframe>` }));
	await page.goto(evil);
	await page.waitForTimeout(1000);
	const frame = page.frames().find((f) => f !== page.mainFrame());
	const framed = frame ? await frame.locator('input[name="userId"]').count().catch(() => 0) : 0;
	expect(framed).toBe(0);
});

test('R-O04 R-O05 R-S01 broken access control: every staff endpoint and socket namespace by role, and settings loads and actions by themselves', async ({ request, playwright }) => {
	const { a } = nodes();
	// a context with no cookies for the anonymous calls (the fixture's keeps the login cookies)
	const anonymous = await playwright.request.newContext();
	const sizes = logSizes();
	const tokens = Object.fromEntries(await Promise.all((['viewer', 'clerk', 'supervisor', 'admin'] as const).map(async (r) => [r, await apiLogin(request, a.url, r)] as const)));
	const slot = (await db((c) => c.query(`SELECT id FROM slots ORDER BY starts_at DESC LIMIT 1`))).rows[0].id;
	// [method, path, body, least role allowed]
	const matrix: [string, string, unknown, 'viewer' | 'clerk' | 'supervisor' | 'admin'][] = [
		['GET', '/api/v1/staff/cards?limit=1', undefined, 'viewer'],
		['GET', `/api/v1/staff/slots?locationId=1&date=2026-12-01`, undefined, 'viewer'],
		['POST', '/api/v1/staff/reservations', { slotId: String(slot), persons: [{ noticeId: 'ZZ0000000000', birthDate: '1980-01-01' }] }, 'clerk'],
		['PATCH', '/api/v1/staff/slots/999999999', { capacity: 1, reason: '権限の確認' }, 'supervisor'],
		['GET', '/api/v1/staff/board-tokens', undefined, 'admin'],
		['POST', '/api/v1/staff/board-tokens', { locationId: 999999, label: 'x' }, 'admin']
	];
	const order = ['viewer', 'clerk', 'supervisor', 'admin'];
	for (const [method, path, data, least] of matrix) {
		const anon = await anonymous.fetch(a.url + path, { method, data });
		expect(anon.status(), `${method} ${path} anonymous`).toBe(401);
		for (const role of order) {
			const r = await request.fetch(a.url + path, { method, data, headers: bearer(tokens[role]) });
			if (order.indexOf(role) < order.indexOf(least)) expect(r.status(), `${method} ${path} as ${role}`).toBe(403);
			else expect([200, 201, 400, 404, 409, 422], `${method} ${path} as ${role}`).toContain(r.status());
		}
	}
	// socket namespaces: /staff and /board need a session (or a board token); /public is open but carries levels only
	const socketOutcome = (ns: string, auth?: Record<string, string>) =>
		new Promise<string>((resolve) => {
			const s = connect(a.url + ns, { transports: ['websocket'], forceNew: true, reconnection: false, ...(auth ? { auth } : {}) });
			s.on('connect', () => (s.close(), resolve('connected')));
			s.on('connect_error', (e) => (s.close(), resolve(e.message)));
		});
	expect(await socketOutcome('/staff')).toBe('unauthenticated');
	expect(await socketOutcome('/board')).toBe('unauthenticated');
	expect(await socketOutcome('/board', { boardToken: 'guessed-board-token' })).toBe('unauthenticated');
	expect(await socketOutcome('/staff', { token: tokens.viewer })).toBe('connected');
	expect(await socketOutcome('/public')).toBe('connected');
	// every staff page's data, asked for directly without a session: never a 500, never data
	for (const path of ['/staff/__data.json', '/staff/slots/__data.json?locationId=1', '/staff/reservations/new/__data.json?locationId=1', '/staff/boards/__data.json', '/staff/settings/__data.json']) {
		const r = await anonymous.get(a.url + path);
		expect(r.status(), path).toBeLessThan(500);
		expect(await r.text(), path).not.toMatch(/displayName|nameJa|tokens"/);
	}
	// settings: the page's own data is refused to a viewer, even asked for directly
	for (const path of ['/staff/settings/__data.json', '/staff/settings/purposes/__data.json', '/staff/settings/maintenance/__data.json', '/staff/settings/locations/1/__data.json', '/staff/boards/__data.json']) {
		const r = await request.get(a.url + path, { headers: bearer(tokens.viewer) });
		const body = await r.text();
		expect(body, path).not.toMatch(/holdMinutes|maxPersonsPerBooking|precautionsJa|tokens"|dateExceptions/);
		expect(r.status(), path).toBeLessThan(500);
	}
	// settings actions: unauthenticated and viewer posts are 401/403, a 101-character name is a 422 — never a 500
	const before = await db((c) => c.query(`SELECT date_exceptions::text AS d, patterns::text AS p FROM location_schedules WHERE location_id = 1`).then((r) => r.rows[0]));
	expect(before).toBeTruthy();
	for (const [path, form] of [
		['/staff/settings/locations/1/exceptions?/addDate', { date: '2027-01-10', kind: 'closed', note: 'x' }],
		['/staff/settings/locations/1/patterns?/save', { index: 'new', nameJa: 'x', open: '09:00', close: '17:00', slotMinutes: '30', capacity: '1' }],
		['/staff/settings?/createLocation', { code: 'evil', nameJa: 'x', nameEn: 'x', sortOrder: '1' }],
		['/staff/settings/maintenance?/save', { active: 'on' }]
	] as const) {
		const anon = await action(anonymous, a.url + path, form);
		const anonBody = await anon.json().catch(() => ({}));
		expect(anon.status(), path).toBeLessThan(500);
		expect(anonBody.status ?? anon.status(), path).toBe(401);
		const viewer = await action(request, a.url + path, form, bearer(tokens.viewer));
		expect((await viewer.json()).status, path).toBe(403);
	}
	const long = await action(request, `${a.url}/staff/settings?/createLocation`, { code: `long${Date.now() % 10000}`, nameJa: 'あ'.repeat(101), nameEn: 'Long', sortOrder: '1' }, bearer(tokens.admin));
	const longBody = await long.json();
	expect(longBody.type).toBe('failure');
	expect(longBody.status).toBe(422);
	expect(JSON.stringify(longBody)).toContain('100文字以内');
	const after = await db((c) => c.query(`SELECT date_exceptions::text AS d, patterns::text AS p FROM location_schedules WHERE location_id = 1`).then((r) => r.rows[0]));
	expect(after).toEqual(before);
	expect(errorsSince(sizes)).toEqual([]);
	await anonymous.dispose();
});

test('R-O04 brute force: wrong logins lock that user ID from that client only, unknown IDs alike; others still get in', async ({ request }) => {
	const { a, b } = nodes();
	await db(async (c) =>
		c.query(`INSERT INTO staff_users (login, display_name, role, password_hash) VALUES ('brute', 'ブルート 試験', 'admin', $1) ON CONFLICT (login) DO NOTHING`, [await argon2.hash('brute-right-1', { type: argon2.argon2id })])
	);
	const run = async (userId: string) => {
		const out: [number, string][] = [];
		for (let i = 0; i < 5; i++) {
			const r = await request.post(`${i % 2 ? b.url : a.url}/api/v1/staff/session`, { data: { userId, password: `guess-${i}` } });
			out.push([r.status(), (await r.json()).detail.replace(/\d{2}:\d{2}/, 'HH:MM')]);
		}
		return out;
	};
	const known = await run('brute');
	const unknown = await run(`ghost-${Date.now()}`);
	expect(known.map((x) => x[0])).toEqual([401, 401, 401, 401, 423]);
	expect(unknown).toEqual(known);
	const locked = await request.post(`${a.url}/api/v1/staff/session`, { data: { userId: 'brute', password: 'brute-right-1' } });
	expect(locked.status()).toBe(423);
	// not every account: the demo admin signs in from the same client
	expect((await request.post(`${b.url}/api/v1/staff/session`, { data: { userId: 'admin', password: e2eState().env.DEMO_PASSWORD } })).status()).toBe(200);
});

test('R-O04 R-O05 headers, /metrics, request size: HSTS only behind https, Permissions-Policy, metrics for private addresses, 413 for big bodies', async ({ request }) => {
	const { a } = nodes();
	const plain = await request.get(`${a.url}/`);
	expect(plain.headers()['strict-transport-security']).toBeUndefined();
	expect(plain.headers()['permissions-policy']).toContain('geolocation=()');
	expect(plain.headers()['x-content-type-options']).toBe('nosniff');
	const csp = plain.headers()['content-security-policy'];
	for (const d of ["default-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"]) expect(csp).toContain(d);
	expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
	const https = await request.get(`${a.url}/?lang=en`, { headers: { 'x-forwarded-proto': 'https' } });
	expect(https.headers()['strict-transport-security']).toContain('max-age=');
	expect(https.headers()['set-cookie']).toMatch(/lang=en;.*Secure/i);
	const login = await request.post(`${a.url}/api/v1/staff/session`, { headers: { 'x-forwarded-proto': 'https' }, data: { userId: 'viewer', password: e2eState().env.DEMO_PASSWORD } });
	expect(login.headers()['set-cookie']).toMatch(/mn_session=.*Secure/i);

	expect((await request.get(`${a.url}/metrics`)).status()).toBe(200);
	const proxied = await request.get(`${a.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
	expect(proxied.status()).toBe(403);
	expect(await proxied.text()).not.toContain('http_request_duration_seconds');

	const big = await request.post(`${a.url}/api/v1/citizen/links`, { headers: { 'content-type': 'application/json' }, data: JSON.stringify({ email: 'x'.repeat(600 * 1024) }) });
	expect(big.status()).toBe(413);
});

test('R-O05 R-L04 database down: 503 problem+json with Retry-After and no stack; back without restarting the nodes', async ({ request }) => {
	test.setTimeout(90_000);
	const { a, b } = nodes();
	const { databaseName, serverUrl } = e2eState();
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	try {
		await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS false`);
		await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [databaseName]);
		for (const base of [a.url, b.url]) {
			let r = await request.get(`${base}/api/v1/locations`);
			for (let i = 0; i < 5 && r.status() !== 503; i++) r = await request.get(`${base}/api/v1/locations`);
			expect(r.status()).toBe(503);
			expect(r.headers()['retry-after']).toBe('5');
			expect(r.headers()['content-type']).toContain('application/problem+json');
			const text = await r.text();
			expect(text).not.toMatch(/\bat \S+ \(|ECONN|Sequelize|pg_|accepting connections/);
			const page = await request.get(`${base}/staff/login`, { headers: { cookie: 'mn_session=x.y.z' } });
			expect(page.status()).toBeLessThan(500);
			expect((await request.get(`${base}/readyz`)).status()).toBe(503);
		}
	} finally {
		await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS true`);
		await admin.end();
	}
	for (const base of [a.url, b.url]) {
		await expect.poll(async () => (await request.get(`${base}/api/v1/locations`)).status(), { timeout: 20_000 }).toBe(200);
		await expect.poll(async () => (await request.get(`${base}/readyz`)).status(), { timeout: 20_000 }).toBe(200);
	}
});
