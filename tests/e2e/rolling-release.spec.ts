import { expect as baseExpect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { startHttpBalancer } from '../harness/http-balancer.ts';
import { startNode } from './global-setup.ts';
import { ARTIFACTS, DEMO_PASSWORD, e2eState } from './state.ts';
import { apiLogin, staffSlots } from './helpers.ts';
import { sql } from './citizen.ts';

/**
 * R-O08 R-O01: a rolling release under steady booking and socket traffic. Two nodes of its own
 * (the shared A and B stay up for the other specs) behind an HTTP balancer with active health
 * checks are restarted one at a time by scripts/rolling-release.sh with a new RELEASE, while staff
 * book and citizens read availability a few times a second, a wall board, a citizen calendar, a
 * staff slot grid and plain Socket.IO clients watch. Nothing may fail, every booking must be in
 * the database, the board reloads once into the new release, and every client is live again with
 * the current state.
 */
const OLD = 'rolling-r1';
const NEW = 'rolling-r2';
const BOOK_LOCATION = 3;
const BOARD_LOCATION = 2;
const SOCKETS = 6;
// Pages and nodes are slow on a loaded machine; what is waited for is an outcome, never a duration.
const expect = baseExpect.configure({ timeout: 20_000 });

interface Outcome {
	what: string;
	status: number;
	ok: boolean;
	detail?: string;
}

test('R-O08 R-O01 rolling release under steady bookings and sockets: no failed request, no lost booking, the board reloads once, every client re-syncs', async ({ browser, request }) => {
	// Mostly the two restarts: a node starts in seconds on a quiet machine, in up to a minute on a
	// shared one (load 6–22 on 2 cores: 1.4–5 min in all).
	test.setTimeout(480_000);
	const state = e2eState();
	const env = { ...state.env, SEED_DEMO: 'false', SHUTDOWN_DRAIN_MS: '1500', SHUTDOWN_TIMEOUT_MS: '8000' };
	const names = ['rolling-1', 'rolling-2'];
	const started = await Promise.all(names.map((n) => startNode(n, { ...env, RELEASE: OLD })));
	started.forEach((n, i) => writeFileSync(`${ARTIFACTS}/node-${names[i]}.pid`, String(n.pid)));
	const lb = await startHttpBalancer(started);
	const sockets: Socket[] = [];
	let traffic: Promise<void> | undefined;
	let releaseGroup: number | undefined;
	let stop = false;
	try {
		expect(lb.ready().sort()).toEqual(started.map((n) => n.port).sort());
		// Where the bookings go: the earliest open day of location 3 (other specs count their days from the end).
		const date = await (async () => {
			const r = await request.get(`${lb.url}/api/v1/locations/${BOOK_LOCATION}/availability`);
			const open = ((await r.json()).days as { date: string; level: string }[]).filter((d) => d.level === 'many');
			expect(open.length).toBeGreaterThan(12);
			return open[0].date;
		})();
		const month = date.slice(0, 7);
		const clerk = await apiLogin(request, lb.url, 'clerk');
		const supervisor = await apiLogin(request, lb.url, 'supervisor');
		// Room for the bookings of the whole release (a full slot still answers 409, which counts as a success).
		await sql(`UPDATE slots SET capacity = capacity + 15 WHERE location_id = $1 AND date = $2`, [BOOK_LOCATION, date]);
		const slots = await staffSlots(request, lb.url, supervisor, BOOK_LOCATION, date);
		expect(slots.length).toBeGreaterThan(0);
		// Cards of their own, so the bookings never meet another spec's.
		const tag = Date.now().toString(36).toUpperCase();
		const cards = await sql<{ notice_id: string; birth_date: string }>(
			`INSERT INTO card_records (notice_id, birth_date, name_kanji, name_kana, storage_location_id)
			 SELECT 'RR' || $1 || lpad(i::text, 3, '0'), DATE '1970-01-01' + i, '試験 太郎', 'シケン タロウ', $2::int FROM generate_series(1, 300) i
			 RETURNING notice_id, birth_date::text AS birth_date`,
			[tag, BOOK_LOCATION]
		);
		// A slot of today at the board's location, a while ahead, so its capacity moves the board's counters.
		const [boardSlot] = await sql<{ id: string }>(
			`INSERT INTO slots (location_id, date, starts_at, ends_at, capacity)
			 SELECT $1::int, (t AT TIME ZONE 'Asia/Tokyo')::date, t, t + interval '10 minutes', 3 FROM (SELECT date_trunc('minute', now()) + interval '20 minutes' AS t) x
			 ON CONFLICT (location_id, starts_at) DO UPDATE SET capacity = 3 RETURNING id::text`,
			[BOARD_LOCATION]
		);

		// The watchers: a wall board (with a board token, as an unattended screen), a citizen calendar,
		// plain Socket.IO clients.
		const admin = await apiLogin(request, lb.url, 'admin');
		const issued = await request.post(`${lb.url}/api/v1/staff/board-tokens`, { headers: { authorization: `Bearer ${admin}` }, data: { locationId: BOARD_LOCATION, label: 'R-O08 リリース試験' } });
		expect(issued.status()).toBe(201);
		const board = await (await browser.newContext()).newPage();
		await board.goto(`${lb.url}/board/${BOARD_LOCATION}?token=${(await issued.json()).token}`);
		await expect(board).toHaveURL(`${lb.url}/board/${BOARD_LOCATION}`);
		const boardRoot = board.locator('.board');
		await expect(boardRoot).toHaveAttribute('data-release', OLD);
		await expect(board.getByRole('status')).toHaveAttribute('data-state', 'live');
		let boardLoads = 0;
		board.on('load', () => boardLoads++);

		const citizen = await (await browser.newContext()).newPage();
		let citizenSockets = 0;
		citizen.on('websocket', (ws) => {
			if (ws.url().includes('/socket.io/')) citizenSockets++;
		});
		await citizen.goto(`${lb.url}/locations/${BOOK_LOCATION}?month=${month}`);
		await expect(citizen.getByRole('status')).toHaveAttribute('data-state', 'live');

		// A clerk's slot grid of the booking day (signed in through the API: the cookie lands in the context).
		const staffContext = await browser.newContext();
		expect((await staffContext.request.post(`${lb.url}/api/v1/staff/session`, { data: { userId: 'clerk', password: DEMO_PASSWORD } })).status()).toBe(200);
		const grid = await staffContext.newPage();
		let gridSockets = 0;
		grid.on('websocket', (ws) => {
			if (ws.url().includes('/socket.io/')) gridSockets++;
		});
		await grid.goto(`${lb.url}/staff/slots?locationId=${BOOK_LOCATION}&date=${date}`);
		await expect(grid.getByRole('status').first()).toHaveAttribute('data-state', 'live');

		const watchers = Array.from({ length: SOCKETS }, () => ({ connects: 0, version: 0n, pushes: [] as bigint[] }));
		for (const w of watchers) {
			const s = io(`${lb.url}/public`, { transports: ['websocket'], reconnectionDelay: 300, reconnectionDelayMax: 1000 });
			// As the pages do: after every (re)connect, subscribe again and take the full state (R-L04).
			s.on('connect', () => {
				w.connects++;
				s.emit('subscribe', { locationId: BOOK_LOCATION, month }, (r: { data?: { version: string } }) => {
					if (r.data && BigInt(r.data.version) > w.version) w.version = BigInt(r.data.version);
				});
			});
			s.on('availability', (p: { locationId: number; month: string; version: string }) => {
				if (p.locationId !== BOOK_LOCATION || p.month !== month) return;
				w.pushes.push(BigInt(p.version));
				if (BigInt(p.version) > w.version) w.version = BigInt(p.version);
			});
			sockets.push(s);
		}
		await expect.poll(() => watchers.every((w) => w.connects === 1 && w.version > 0n)).toBe(true);

		// Steady traffic through the balancer for the whole release: a booking and an availability read
		// every 500 ms each, alternating, each on its own, as independent clients would send them.
		const outcomes: Outcome[] = [];
		const booked: string[] = [];
		const inFlight = new Set<Promise<void>>();
		const record = (what: string, p: Promise<Response>, accept: (status: number) => boolean, onOk?: (r: Response) => Promise<void>) => {
			const job = p
				.then(async (r) => {
					const ok = accept(r.status);
					outcomes.push({ what, status: r.status, ok, detail: ok ? undefined : (await r.text()).slice(0, 300) });
					if (ok && onOk) await onOk(r);
					else await r.body?.cancel();
				})
				.catch((e: Error) => void outcomes.push({ what, status: 0, ok: false, detail: String(e.cause ?? e.message) }))
				.finally(() => inFlight.delete(job));
			inFlight.add(job);
		};
		let cardIndex = 0;
		traffic = (async () => {
			for (let tick = 0; !stop; tick++) {
				if (tick % 2 === 0 && cardIndex < cards.length) {
					const card = cards[cardIndex++];
					const slot = slots[cardIndex % slots.length];
					record(
						'POST /api/v1/staff/reservations',
						fetch(`${lb.url}/api/v1/staff/reservations`, {
							method: 'POST',
							headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
							body: JSON.stringify({ slotId: slot.id, persons: [{ noticeId: card.notice_id, birthDate: card.birth_date }] })
						}),
						// 409: that slot is full, an answer the API promises (R-S04), not a failure
						(s) => s === 201 || s === 409,
						async (r) => {
							if (r.status === 201) booked.push((await r.json()).bookingNumber);
							else await r.body?.cancel();
						}
					);
				} else {
					record('GET /api/v1/locations/{id}/availability', fetch(`${lb.url}/api/v1/locations/${BOOK_LOCATION}/availability?from=${date}&to=${date}`), (s) => s === 200);
				}
				await new Promise((r) => setTimeout(r, 250));
			}
		})();
		await expect.poll(() => outcomes.length).toBeGreaterThan(6);

		// The release: the same procedure as production, with a restart command for these test nodes.
		const release = spawn('bash', ['scripts/rolling-release.sh', ...started.map((n, i) => `${n.url}=${names[i]}@${n.port}`)], {
			env: { ...process.env, ...env, RELEASE: NEW, LOG_LEVEL: 'info', ARTIFACTS, RESTART_CMD: 'bash tests/e2e/rolling-restart.sh {unit}', SETTLE_SECONDS: '1', READY_TIMEOUT: '200' },
			stdio: ['ignore', 'pipe', 'pipe'],
			// its own process group: the restart commands and the nodes they start are in it too
			detached: true
		});
		releaseGroup = release.pid;
		let releaseLog = '';
		release.stdout.on('data', (d) => (releaseLog += d));
		release.stderr.on('data', (d) => (releaseLog += d));
		const code = await new Promise<number | null>((r) => release.on('close', r));
		expect(code, releaseLog).toBe(0);
		expect(releaseLog).toContain('release done');
		for (const n of started) expect(await (await fetch(`${n.url}/readyz`)).json()).toMatchObject({ status: 'ok' });
		// A little traffic on the new release too, then stop and let the last requests finish.
		const count = outcomes.length;
		await expect.poll(() => outcomes.length).toBeGreaterThan(count + 4);
		stop = true;
		await traffic;
		await Promise.all([...inFlight]);

		// Zero failed requests: every answer a 2xx or an expected 409 for a full slot.
		const failed = outcomes.filter((o) => !o.ok);
		const by = (what: string, status: number) => outcomes.filter((o) => o.what.startsWith(what) && o.status === status).length;
		console.log(
			`R-O08 rolling release: ${outcomes.length} requests — bookings 201: ${by('POST', 201)}, 409 full: ${by('POST', 409)}; availability 200: ${by('GET', 200)}; failed: ${failed.length}; balancer: ${JSON.stringify(lb.stats)}`
		);
		expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
		expect(lb.stats.failed).toBe(0);
		expect(by('POST', 201)).toBeGreaterThan(0);
		expect(booked.length).toBe(by('POST', 201));
		// Both nodes were restarted into the new release, each after the other one was serving.
		for (const name of names) {
			const log = readFileSync(`${ARTIFACTS}/node-${name}.log`, 'utf8');
			expect(log).toContain('"msg":"shutting down: draining"');
			expect(log).toContain('"msg":"stopped"');
		}
		// Every booking answered 201 is in the database.
		const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM reservations WHERE booking_number = ANY($1) AND status <> 'cancelled'`, [booked]);
		expect(n).toBe(booked.length);

		// The board reloaded exactly once, into the new release, and is live.
		await expect(boardRoot).toHaveAttribute('data-release', NEW);
		await expect(board.getByRole('status')).toHaveAttribute('data-state', 'live');
		expect(boardLoads).toBe(1);

		// Every Socket.IO client lost its node at least once and reconnected through the balancer.
		await expect.poll(() => watchers.every((w) => w.connects >= 2 && sockets.every((s) => s.connected))).toBe(true);
		expect(citizenSockets).toBeGreaterThanOrEqual(2);
		await expect(citizen.getByRole('status')).toHaveAttribute('data-state', 'live');
		expect(gridSockets).toBeGreaterThanOrEqual(2);
		await expect(grid.getByRole('status').first()).toHaveAttribute('data-state', 'live');
		// The grid shows every slot's current count, bookings made on both releases included.
		const now = await staffSlots(request, lb.url, supervisor, BOOK_LOCATION, date);
		expect(now.reduce((n, s) => n + s.booked, 0)).toBeGreaterThanOrEqual(booked.length);
		for (const s of now) await expect(grid.locator(`tr[data-slot-id="${s.id}"] [data-field="booked"]`)).toHaveText(String(s.booked));

		// Pushes made after the release reach everyone: the booking day is closed to new bookings
		// (capacity = what is taken), which the calendar, the sockets and a board change must show.
		const before = watchers.map((w) => w.version);
		for (const s of await staffSlots(request, lb.url, supervisor, BOOK_LOCATION, date)) {
			const r = await request.patch(`${lb.url}/api/v1/staff/slots/${s.id}`, {
				headers: { authorization: `Bearer ${supervisor}` },
				data: { capacity: s.booked + s.held, reason: 'R-O08 テスト' }
			});
			expect(r.status(), await r.text()).toBe(200);
		}
		await expect(citizen.locator(`[data-date="${date}"]`)).toHaveAttribute('data-level', 'none');
		for (const s of now) await expect(grid.locator(`tr[data-slot-id="${s.id}"] [data-field="capacity"]`)).toHaveText(String(s.booked + s.held));
		await expect.poll(() => watchers.every((w, i) => w.pushes.some((v) => v > before[i]))).toBe(true);
		// And the calendar shows exactly the current state of the whole month.
		const current = (await (await request.get(`${lb.url}/api/v1/locations/${BOOK_LOCATION}/availability?month=${month}`)).json()).days as { date: string; level: string }[];
		for (const d of current.filter((x) => x.date.startsWith(month))) {
			await expect(citizen.locator(`[data-date="${d.date}"]`)).toHaveAttribute('data-level', d.level);
		}
		const remaining = board.locator('[data-counter="remainingToday"]');
		const was = Number(await remaining.textContent());
		const r = await request.patch(`${lb.url}/api/v1/staff/slots/${boardSlot.id}`, { headers: { authorization: `Bearer ${supervisor}` }, data: { capacity: 6, reason: 'R-O08 テスト' } });
		expect(r.status()).toBe(200);
		await expect(remaining).toHaveText(String(was + 3));
		expect(boardLoads).toBe(1);
	} finally {
		stop = true;
		await traffic?.catch(() => undefined);
		for (const s of sockets) s.close();
		await lb.close();
		// The release's group (a script still running after a failure, the nodes it started), then the
		// node each pid file names (the first ones, when the release did not get to them).
		const pids = [...(releaseGroup ? [-releaseGroup] : []), ...names.map((name) => Number(readFileSync(`${ARTIFACTS}/node-${name}.pid`, 'utf8')))];
		for (const pid of pids) {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				/* already gone */
			}
		}
	}
});
