import { chromium, expect, test, type Page } from '@playwright/test';
import { CHROMIUM } from '../harness/services.ts';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { io as connect } from 'socket.io-client';
import { startHttpBalancer, type HttpBalancer } from '../harness/http-balancer.ts';
import { startNode } from './global-setup.ts';
import { ARTIFACTS, e2eState, type NodeInfo } from './state.ts';
import { apiLogin, nodes, openDay, staffSlots } from './helpers.ts';
import { bookAsCitizen, linkFor, freeCards } from './citizen.ts';

/**
 * R-C14 R-O04 R-O05 behind the city's reverse proxy: two nodes of their own with
 * ADDRESS_HEADER=x-forwarded-for XFF_DEPTH=1 and STAFF_NETWORKS, behind the test balancer adding
 * X-Forwarded-For as nginx's $proxy_add_x_forwarded_for does. Clients on different loopback
 * addresses (Linux answers on all of 127.0.0.0/8) stand for different citizens.
 */

// A citizen; the staff network is 127.0.0.0/28, so CITIZEN_A is outside it.
const CITIZEN_A = '127.0.0.21';
const INSIDE = '127.0.0.1';

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
}

/** One HTTP request from a chosen local address (fetch cannot choose it). */
function call(from: string, url: string, opts: { method?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<Reply> {
	const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
	const headers: Record<string, string> = { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers };
	return new Promise((resolve, reject) => {
		const req = httpRequest(url, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, localAddress: from, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** A citizen session opened through the balancer from `from`: link requested, link opened. */
async function citizenBearer(base: string, from: string, email: string): Promise<string> {
	expect((await call(from, `${base}/api/v1/citizen/links`, { json: { email } })).status).toBe(202);
	const s = await call(from, `${base}/api/v1/citizen/session`, { json: { token: await linkFor(email) } });
	expect(s.status, s.text).toBe(201);
	return JSON.parse(s.text).token;
}

function socketOutcome(url: string, opts: { auth?: Record<string, string>; localAddress?: string; headers?: Record<string, string> } = {}) {
	return new Promise<string>((resolve) => {
		const s = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: opts.auth, localAddress: opts.localAddress, extraHeaders: opts.headers } as Parameters<typeof connect>[1]);
		s.on('connect', () => (s.close(), resolve('connected')));
		s.on('connect_error', (e) => (s.close(), resolve(e.message)));
	});
}

test.describe('behind the reverse proxy', () => {
	test.describe.configure({ mode: 'serial' });
	let started: NodeInfo[] = [];
	let lb: HttpBalancer;
	const names = ['proxy-1', 'proxy-2'];

	test.beforeAll(async () => {
		test.setTimeout(300_000);
		const state = e2eState();
		const env = {
			...state.env,
			SEED_DEMO: 'false',
			// limits of their own: these counters must not meet the shared nodes' (R-O10)
			REDIS_KEY: `${state.env.REDIS_KEY}-proxy`,
			ADDRESS_HEADER: 'x-forwarded-for',
			XFF_DEPTH: '1',
			STAFF_NETWORKS: '127.0.0.0/28',
			// the defaults of a real city: 20 wrong verifications per address lock it (R-C14); per
			// session raised so that one session can reach the per-address limit
			CITIZEN_VERIFY_MAX_FAILURES_PER_IP: '20',
			CITIZEN_VERIFY_MAX_FAILURES: '100'
		};
		started = await Promise.all(names.map((n) => startNode(n, env)));
		lb = await startHttpBalancer(started, { forwardedFor: 'append' });
	});

	test.afterAll(async () => {
		await lb?.close();
		for (const n of started) {
			try {
				process.kill(n.pid, 'SIGTERM');
			} catch {
				/* gone */
			}
		}
	});

	test('R-C14 R-O04 one client’s 20 wrong verifications lock only that client; a forged X-Forwarded-For does not escape it; the other client still verifies', async ({ request }) => {
		test.setTimeout(180_000);
		const base = lb.url;
		// two citizens of their own (a lockout lasts 30 minutes: a repeated run must not meet the last one's)
		const net = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
		const [CITIZEN_A, CITIZEN_B] = [`${net}.21`, `${net}.22`];
		// a slot with room, on a day other specs leave alone (they count from the end of location 3's days)
		const date = await openDay(request, nodes().a.url, 1, 2);
		const staff = await apiLogin(request, nodes().a.url, 'viewer');
		const slot = (await staffSlots(request, nodes().a.url, staff, 1, date)).find((s) => s.capacity - s.booked - s.held >= 1)!;
		expect(slot).toBeTruthy();
		const purposes = JSON.parse((await call(CITIZEN_B, `${base}/api/v1/locations/1/purposes`)).text).purposes as { id: number }[];
		const [wrongCard, rightCard] = await freeCards(2, 240);
		const hold = (from: string, bearer: string, persons: { noticeId: string; birthMonthDay: string }[], headers: Record<string, string> = {}) =>
			call(from, `${base}/api/v1/holds`, { headers: { authorization: `Bearer ${bearer}`, ...headers }, json: { slotId: slot.id, purposeId: purposes[0].id, persons } });
		const wrong = [{ noticeId: wrongCard.noticeId, birthMonthDay: '02-30' }];

		const tag = Date.now().toString(36);
		const a = await citizenBearer(base, CITIZEN_A, `proxy-a-${tag}@example.jp`);
		const b = await citizenBearer(base, CITIZEN_B, `proxy-b-${tag}@example.jp`);
		// 19 wrong tries: each a plain 422, spread over both nodes by the balancer
		for (let i = 0; i < 19; i++) expect((await hold(CITIZEN_A, a, wrong)).status, `try ${i + 1}`).toBe(422);
		// the 20th locks the address
		const twentieth = await hold(CITIZEN_A, a, wrong);
		expect(twentieth.status).toBe(429);
		expect(JSON.parse(twentieth.text)).toMatchObject({ retryAfter: expect.any(Number) });
		// even the right person from that client waits now, and a new session does not help
		expect((await hold(CITIZEN_A, a, [{ noticeId: rightCard.noticeId, birthMonthDay: rightCard.monthDay }])).status).toBe(429);
		const a2 = await citizenBearer(base, CITIZEN_A, `proxy-a2-${tag}@example.jp`);
		expect((await hold(CITIZEN_A, a2, [{ noticeId: rightCard.noticeId, birthMonthDay: rightCard.monthDay }])).status).toBe(429);
		// a forged X-Forwarded-For (another address, or the other citizen's) stays on the left and is not read
		for (const forged of ['198.51.100.77', CITIZEN_B, `${CITIZEN_B}, ${CITIZEN_B}`]) {
			expect((await hold(CITIZEN_A, a2, [{ noticeId: rightCard.noticeId, birthMonthDay: rightCard.monthDay }], { 'x-forwarded-for': forged })).status, forged).toBe(429);
		}

		// the other citizen behind the same proxy is not locked: a wrong try is a 422, the right one holds
		expect((await hold(CITIZEN_B, b, wrong)).status).toBe(422);
		const ok = await hold(CITIZEN_B, b, [{ noticeId: rightCard.noticeId, birthMonthDay: rightCard.monthDay }]);
		expect(ok.status, ok.text).toBe(201);
		const { holdId } = JSON.parse(ok.text);
		expect((await call(CITIZEN_B, `${base}/api/v1/holds/${holdId}`, { method: 'DELETE', headers: { authorization: `Bearer ${b}` } })).status).toBeLessThan(300);
	});

	test('R-O04 a request straight to a node without the proxy’s header is 400 problem+json with one error line, no stack; health checks still answer', async () => {
		const node = started[0];
		const logFile = `${ARTIFACTS}/node-${names[0]}.log`;
		const before = readFileSync(logFile, 'utf8').length;
		const r = await call(INSIDE, `${node.url}/api/v1/citizen/links`, { json: { email: 'direct@example.jp' } });
		expect(r.status).toBe(400);
		expect(String(r.headers['content-type'])).toContain('application/problem+json');
		expect(JSON.parse(r.text)).toMatchObject({ status: 400, code: 'client_address_missing', detail: expect.stringContaining('接続元') });
		const page = await call(INSIDE, `${node.url}/`);
		expect(page.status).toBe(400);
		expect((await call(INSIDE, `${node.url}/readyz`)).status).toBe(200);
		expect((await call(INSIDE, `${node.url}/healthz`)).status).toBe(200);
		// the socket handshake likewise, directly; through the balancer it connects
		expect(await socketOutcome(`${node.url}/public`)).not.toBe('connected');
		expect(await socketOutcome(`${lb.url}/public`)).toBe('connected');

		await expect.poll(() => readFileSync(logFile, 'utf8').slice(before).split('\n').filter((l) => l.includes('client address header')).length).toBeGreaterThanOrEqual(3);
		const lines = readFileSync(logFile, 'utf8').slice(before).split('\n').filter((l) => l.includes('client address header'));
		for (const l of lines) {
			const entry = JSON.parse(l);
			expect(entry.level).toBe(50); // error
			expect(entry.msg).toContain('x-forwarded-for is missing');
			expect(entry.msg).toContain('reverse proxy');
			expect(l).not.toContain('stack');
			expect(l).not.toContain('direct@example.jp');
			expect(l).not.toContain('/api/v1/');
		}
		// nothing else of this node's answers was a 500
		expect(readFileSync(logFile, 'utf8').slice(before)).not.toContain('request failed');
	});

	test('R-O04 STAFF_NETWORKS: staff pages, the staff API and the staff and board sockets only from the city network; citizens from anywhere', async ({ request, browser }) => {
		const base = lb.url;
		const login = await call(CITIZEN_A, `${base}/staff/login`);
		expect(login.status).toBe(403);
		expect(login.text).toContain('庁内のネットワークからのみ');
		// the page as a browser outside the network shows it (desktop and a phone), to be looked at
		for (const [name, width] of [['desktop', 1280], ['phone', 390]] as const) {
			const shot = await browser.newPage({ viewport: { width, height: 700 } });
			await shot.setContent(login.text);
			await shot.screenshot({ path: `${ARTIFACTS}/screenshots/staff-network-403-${name}.png` });
			expect(await shot.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
			await shot.close();
		}
		const api = await call(CITIZEN_A, `${base}/api/v1/staff/session`, { json: { userId: 'viewer', password: e2eState().env.DEMO_PASSWORD } });
		expect(api.status).toBe(403);
		expect(JSON.parse(api.text)).toMatchObject({ status: 403, code: 'forbidden_network' });
		// claiming an inside address does not help
		expect((await call(CITIZEN_A, `${base}/staff/login`, { headers: { 'x-forwarded-for': INSIDE } })).status).toBe(403);
		expect((await call(CITIZEN_A, `${base}/board/1`)).status).toBe(403);
		// citizens from the same address: served
		expect((await call(CITIZEN_A, `${base}/`)).status).toBe(200);
		expect((await call(CITIZEN_A, `${base}/api/v1/locations`)).status).toBe(200);

		// from inside the network: everything works
		expect((await call(INSIDE, `${base}/staff/login`)).status).toBe(200);
		const token = await apiLogin(request, base, 'viewer');
		const date = await openDay(request, base, 1, 2);
		expect((await call(INSIDE, `${base}/api/v1/staff/slots?locationId=1&date=${date}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
		expect((await call(CITIZEN_A, `${base}/api/v1/staff/slots?locationId=1&date=${date}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
		expect(await socketOutcome(`${base}/staff`, { auth: { token }, localAddress: INSIDE })).toBe('connected');
		// the same session from outside: refused before anything is read
		expect(await socketOutcome(`${base}/staff`, { auth: { token }, localAddress: CITIZEN_A })).toBe('forbidden_network');
		expect(await socketOutcome(`${base}/board`, { auth: { token }, localAddress: CITIZEN_A })).toBe('forbidden_network');
		expect(await socketOutcome(`${base}/public`, { localAddress: CITIZEN_A })).toBe('connected');
	});

	test('R-O05 /metrics behind the proxy: the client’s address decides, not the proxy’s loopback', async () => {
		const node = started[0];
		// a scrape straight to the node from its own host
		expect((await call(INSIDE, `${node.url}/metrics`)).status).toBe(200);
		// forwarded for an outside client: refused although the proxy is on loopback
		const outside = await call(INSIDE, `${node.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
		expect(outside.status).toBe(403);
		expect(outside.text).not.toContain('http_request_duration_seconds');
	});
});

test('R-O04 CSP connect-src names our own origin only, and the live pages still connect their sockets', async ({ page, request }) => {
	const { a } = nodes();
	const csp = (await request.get(`${a.url}/`)).headers()['content-security-policy'];
	expect(csp).toMatch(/connect-src 'self'(;|$)/);
	expect(csp).not.toContain('ws:');
	const violations: string[] = [];
	page.on('console', (m) => {
		if (/Content Security Policy|Refused to connect/i.test(m.text())) violations.push(m.text());
	});
	await page.goto(`${a.url}/locations/1`);
	await expect(page.locator('.indicator[data-state="live"]').first()).toBeVisible({ timeout: 20_000 });
	expect(violations).toEqual([]);
});

/**
 * Opens `path`, leaves it for the start page and goes back: the page must come back from the
 * back/forward cache (the same document, pageshow.persisted, no reason given by Chromium) and read
 * its data again (the layout's pageshow handler). `ready` says the page has finished loading.
 */
async function expectRestoredFromCache(base: string, path: string, ready: (page: Page) => Promise<void>) {
	// Playwright turns the cache off by default; a city's browsers have it on.
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], ignoreDefaultArgs: ['--disable-back-forward-cache'] });
	try {
		const page = await (await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' })).newPage();
		const cdp = await page.context().newCDPSession(page);
		await cdp.send('Page.enable');
		const notRestored: string[] = [];
		cdp.on('Page.backForwardCacheNotUsed', (e) => notRestored.push(...e.notRestoredExplanations.map((x) => x.reason)));
		await page.goto(`${base}${path}`);
		await ready(page);
		await page.evaluate(() => {
			(window as unknown as { restoredMark: number }).restoredMark = 42;
			addEventListener('pageshow', (e) => ((window as unknown as { persistedShow: boolean }).persistedShow = e.persisted));
		});
		await page.evaluate(() => (location.href = '/'));
		await page.waitForURL(`${base}/`);
		// on the return the page asks for its data again (the layout's pageshow handler)
		const reread = page.waitForRequest((r) => r.url().includes(`${path}/__data.json`), { timeout: 15_000 });
		// a page restored from the cache fires pageshow, not load: wait for the commit only
		await page.goBack({ waitUntil: 'commit' });
		await page.waitForFunction((p) => location.pathname === p && document.readyState === 'complete', path);
		// restored, not loaded again: the same document (the mark set before leaving is still there,
		// and its navigation entry is still the first load's), shown with pageshow.persisted
		const seen = await page.evaluate(() => ({
			type: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
			mark: (window as unknown as { restoredMark?: number }).restoredMark,
			persisted: (window as unknown as { persistedShow?: boolean }).persistedShow
		}));
		expect(notRestored, 'reasons Chromium gave for not restoring').toEqual([]);
		expect(seen).toEqual({ type: 'navigate', mark: 42, persisted: true });
		await reread;
		await ready(page);
	} finally {
		await browser.close();
	}
}

test('R-L04 back/forward cache: a live citizen page is restored from the cache, re-reads its data and is live again', async () => {
	test.setTimeout(90_000);
	await expectRestoredFromCache(nodes().a.url, '/locations/1', (page) => expect(page.locator('.indicator[data-state="live"]').first()).toBeVisible({ timeout: 20_000 }));
});

test('R-C10 back/forward cache: the manage page is restored from the cache (private, revalidated; never stored by a shared cache)', async ({ request }) => {
	test.setTimeout(90_000);
	const { a } = nodes();
	const staff = await apiLogin(request, a.url, 'supervisor');
	const day = await openDay(request, a.url, 2, 3);
	const slot = (await staffSlots(request, a.url, staff, 2, day)).find((s) => s.booked + s.held === 0 && s.capacity >= 1)!;
	const [card] = await freeCards(1, 230);
	const booking = await bookAsCitizen(request, a.url, 2, slot.id, card);
	const page = await request.get(`${a.url}${booking.path}`);
	expect(page.headers()['cache-control']).toBe('private, no-cache');
	// what the page reads and what it changes stay out of every cache
	expect((await request.get(`${a.url}${booking.path}/__data.json`)).headers()['cache-control']).toBe('no-store');
	expect((await request.get(`${a.url}${booking.path}/move`)).headers()['cache-control']).toBe('no-store');
	await expectRestoredFromCache(a.url, booking.path, (p) => expect(p.getByText(booking.number).first()).toBeVisible({ timeout: 20_000 }));
});

/** Error-level lines node A wrote while `run` ran (pino level 50 and above). */
async function errorLinesDuring(run: () => Promise<void>): Promise<string[]> {
	const log = `${ARTIFACTS}/node-a.log`;
	const before = readFileSync(log, 'utf8').length;
	await run();
	await new Promise((r) => setTimeout(r, 300)); // the log is written asynchronously
	return readFileSync(log, 'utf8')
		.slice(before)
		.split('\n')
		.filter((l) => /"level":(50|60)/.test(l));
}

test('R-O04 R-O05 client mistakes are clean 4xx without an error-level log line', async ({ request, playwright }) => {
	const { a } = nodes();
	const viewer = await apiLogin(request, a.url, 'viewer');
	const anon = await playwright.request.newContext();
	const same = { origin: a.url };
	const seen: string[] = [];
	const errors = await errorLinesDuring(async () => {
		const expectStatus = async (what: string, r: Promise<{ status(): number }>, status: number) => {
			const got = (await r).status();
			seen.push(`${what}: ${got}`);
			expect(got, what).toBe(status);
		};
		// anonymous form posts without a body, or with a body that is no form
		for (const path of ['/?/link', '/book?/verify', '/staff/login', '/staff/logout', '/locations/1/day/2026-12-20?/hold', '/manage/abc/cancel']) {
			await expectStatus(`POST ${path} (no body)`, anon.post(a.url + path, { headers: same, maxRedirects: 0 }), 415);
			await expectStatus(`POST ${path} (text/plain)`, anon.post(a.url + path, { headers: { ...same, 'content-type': 'text/plain' }, data: 'x', maxRedirects: 0 }), 415);
			await expectStatus(`POST ${path} (multipart without boundary)`, anon.post(a.url + path, { headers: { ...same, 'content-type': 'multipart/form-data' }, data: 'x', maxRedirects: 0 }), 415);
		}
		const refused = await anon.post(`${a.url}/?/link`, { headers: { ...same, 'content-type': 'text/plain' }, data: 'x' });
		expect(refused.headers()['content-type']).toContain('application/problem+json');
		expect((await refused.json()).detail).toContain('フォーム');
		// GET /staff/logout: not a page, not a sign-out: a redirect
		await expectStatus('GET /staff/logout (anonymous)', anon.get(`${a.url}/staff/logout`, { maxRedirects: 0 }), 303);
		const signedIn = await anon.get(`${a.url}/staff/logout`, { headers: { authorization: `Bearer ${viewer}` }, maxRedirects: 0 });
		expect(signedIn.status()).toBe(303);
		expect(signedIn.headers().location).toBe('/staff');
		// the session is still good: GET did not sign out
		await expectStatus('viewer still signed in', anon.get(`${a.url}/staff/slots`, { headers: { authorization: `Bearer ${viewer}` } }), 200);
		// a viewer on an admin page, and its data
		await expectStatus('viewer /staff/settings/lists', anon.get(`${a.url}/staff/settings/lists`, { headers: { authorization: `Bearer ${viewer}` } }), 403);
		const data = await anon.get(`${a.url}/staff/settings/lists/__data.json`, { headers: { authorization: `Bearer ${viewer}` } });
		expect(await data.text()).not.toContain('transfer');
		// malformed JSON, a wrong content type, a wrong method on the API
		await expectStatus('malformed JSON', anon.post(`${a.url}/api/v1/citizen/links`, { headers: { ...same, 'content-type': 'application/json' }, data: '{' }), 400);
		await expectStatus('JSON API with text/plain', anon.post(`${a.url}/api/v1/staff/session`, { headers: { ...same, 'content-type': 'text/plain' }, data: 'x' }), 400);
		await expectStatus('wrong method', anon.fetch(`${a.url}/api/v1/citizen/links`, { method: 'PUT', headers: { ...same, 'content-type': 'application/json' }, data: '{}' }), 405);
		await expectStatus('wrong method (staff)', anon.fetch(`${a.url}/api/v1/staff/check-in`, { method: 'PATCH', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, data: '{}' }), 405);
	});
	expect(errors, seen.join('\n')).toEqual([]);
});

/** A chunked POST (no Content-Length) of `total` bytes in 16 KiB chunks; what the server answered and whether it read everything. */
function chunkedPost(url: string, total: number, contentType: string): Promise<{ status: number; body: string; sent: number; closed: boolean }> {
	return new Promise((resolve, reject) => {
		let sent = 0;
		const req = httpRequest(url, { method: 'POST', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked', origin: new URL(url).origin }, agent: false });
		const chunk = Buffer.alloc(16 * 1024, 'a');
		let answered = false;
		const pump = () => {
			while (sent < total && !answered) {
				sent += chunk.length;
				if (!req.write(chunk)) return void req.once('drain', pump);
			}
			if (!answered) req.end();
		};
		req.on('response', (res) => {
			answered = true;
			const parts: Buffer[] = [];
			res.on('data', (c: Buffer) => parts.push(c));
			res.on('end', () => {
				// the server closes the connection: the rest of the body is never read
				req.socket?.once('close', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), sent, closed: true }));
				if (req.socket?.destroyed) resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), sent, closed: true });
			});
		});
		req.on('error', (e) => (answered ? undefined : reject(e)));
		pump();
	});
}

test('R-O04 chunked bodies are counted as they arrive: a citizen form over 64 KiB and a staff post over 1 MiB are 413, the connection closed without reading the rest', async () => {
	test.setTimeout(60_000);
	const { a } = nodes();
	const errors = await errorLinesDuring(async () => {
		const form = await chunkedPost(`${a.url}/?/link`, 40 * 1024 * 1024, 'application/x-www-form-urlencoded');
		expect(form.status).toBe(413);
		expect(JSON.parse(form.body)).toMatchObject({ status: 413, detail: expect.stringContaining('大きすぎ') });
		expect(form.closed).toBe(true);
		// refused long before the 40 MB were sent
		expect(form.sent).toBeLessThan(8 * 1024 * 1024);
		const api = await chunkedPost(`${a.url}/api/v1/citizen/links`, 200 * 1024, 'application/json');
		expect(api.status).toBe(413);
		const staff = await chunkedPost(`${a.url}/staff/login`, 3 * 1024 * 1024, 'application/x-www-form-urlencoded');
		expect(staff.status).toBe(413);
		// under the limit a chunked form is read as usual (an empty e-mail: the form's own 4xx answer)
		const small = await chunkedPost(`${a.url}/?/link`, 16 * 1024, 'application/x-www-form-urlencoded');
		expect(small.status).toBeLessThan(500);
		expect(small.status).not.toBe(413);
	});
	expect(errors).toEqual([]);
});

test('R-O04 responses are compressed by Accept-Encoding (brotli, gzip) and Socket.IO keeps its own', async () => {
	const { a } = nodes();
	const get = (path: string, enc: string) =>
		new Promise<{ status: number; encoding?: string; vary: string; length: number }>((resolve, reject) => {
			httpRequest(`${a.url}${path}`, { headers: { 'accept-encoding': enc }, agent: false }, (res) => {
				let length = 0;
				res.on('data', (c: Buffer) => (length += c.length));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], vary: String(res.headers.vary ?? ''), length }));
			})
				.on('error', reject)
				.end();
		});
	const plain = await get('/api/v1/locations/1/availability', 'identity');
	const br = await get('/api/v1/locations/1/availability', 'br, gzip');
	const gz = await get('/api/v1/locations/1/availability', 'gzip');
	expect([plain.status, br.status, gz.status]).toEqual([200, 200, 200]);
	expect(plain.encoding).toBeUndefined();
	expect(br.encoding).toBe('br');
	expect(gz.encoding).toBe('gzip');
	expect(br.vary.toLowerCase()).toContain('accept-encoding');
	expect(br.length).toBeLessThan(plain.length / 2);
	const page = await get('/', 'gzip, br');
	expect(page.encoding).toBe('br');
	// Socket.IO's polling answers are Socket.IO's own
	const sio = await get('/socket.io/?EIO=4&transport=polling', 'gzip, br');
	expect(sio.encoding === undefined || sio.encoding === 'gzip').toBe(true);
});
