import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Sequelize } from 'sequelize';
import pg from 'pg';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { preparedOn, type Db } from '../../db/index.ts';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { enqueueMail, mailBooking, mailsOf, outboxRow } from '../harness/mail.ts';
import { startMailSink, type MailSink } from '../../server/dev/mail-sink.ts';
import { createMailTransport, type MailTransport } from '../../src/lib/server/mail/transport.ts';
import { backoffMs, deliverDue, LEASE_MS, MAX_ATTEMPTS } from '../../src/lib/server/mail/outbox.ts';
import { queueReminders } from '../../src/lib/server/mail/remind.ts';
import { mailQueue, retryFailedMail } from '../../src/lib/server/mail/queue.ts';
import { resendByBookingNumber } from '../../src/lib/server/mail/resend.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import { AppError } from '../../src/lib/server/errors.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import { JOBS, startJobs } from '../../server/jobs.ts';
import { POST as resendRoute } from '../../src/routes/api/v1/staff/reservations/[id]/resend/+server.ts';

let t: TestDatabase;
let sink: MailSink;
let transport: MailTransport;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'maildelivery');
	sink = await startMailSink();
	transport = createMailTransport(sink.smtpUrl);
});
afterAll(async () => {
	setAppContext(undefined);
	transport?.close();
	await sink?.close();
	await t?.drop();
});

const NOW = new Date('2026-11-24T01:00:00Z'); // 10:00 in Tokyo

/**
 * A second connection pool on the same database, as another node has. (Not createDb: the models
 * are bound to one Sequelize per process; what runs here uses raw queries only.)
 */
function secondPool(url: string, max: number): Db {
	const sequelize = new Sequelize(url, { dialect: 'postgres', dialectModule: pg, logging: false, pool: { max, min: 0 } });
	return { sequelize, models: t.db.models, read: sequelize, readModels: t.db.models, prepared: (n, q, v) => preparedOn(sequelize, n, q, v), live: (n, q, v) => preparedOn(sequelize, n, q, v), close: () => sequelize.close() };
}
const staff = (role: Role): Principal => ({ userId: 1, login: `${role}-1`, displayName: role, role, locationId: null, sessionId: randomUUID() });

async function rejects(p: Promise<unknown>): Promise<AppError> {
	const e = await p.then(
		() => null,
		(err: unknown) => err
	);
	expect(e).toBeInstanceOf(AppError);
	return e as AppError;
}

describe('delivery', () => {
	it('R-C09 SMTP down: each try backs off (30 s, 1 min, 2 min …), the error is kept without the address, the row fails after the last try; a supervisor retries it and it is sent once SMTP is back', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const b = await mailBooking(t.db);
		const id = await enqueueMail(t.db, 'reservation.created', { reservationId: b.reservationId }, NOW);
		// A sink that has gone away: connection refused on its port.
		const gone = await startMailSink();
		const port = gone.smtpPort;
		await gone.close();
		const down = createMailTransport(`smtp://127.0.0.1:${port}`);
		try {
			for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
				const report = await deliverDue(ctx, down);
				expect(report).toEqual({ sent: 0, skipped: 0, retried: attempt < MAX_ATTEMPTS ? 1 : 0, failed: attempt < MAX_ATTEMPTS ? 0 : 1 });
				const row = await outboxRow(t.db, id);
				expect(row.attempts).toBe(attempt);
				expect(row.last_error).toMatch(/ECONNREFUSED/);
				expect(row.last_error).not.toContain(b.email);
				if (attempt < MAX_ATTEMPTS) {
					expect(new Date(row.next_attempt_at).getTime() - clock.now.getTime()).toBe(backoffMs(attempt));
					// Not due before its time.
					expect(await deliverDue(ctx, down)).toEqual({ sent: 0, skipped: 0, retried: 0, failed: 0 });
					clock.now = new Date(row.next_attempt_at);
				} else {
					expect(row.failed_at).not.toBeNull();
				}
			}
			expect([backoffMs(1), backoffMs(2), backoffMs(3), backoffMs(10)]).toEqual([30_000, 60_000, 120_000, 3_600_000]);
			// Failed rows are not tried again by themselves, and staff see them.
			clock.now = new Date(clock.now.getTime() + 86_400_000);
			expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, skipped: 0, retried: 0, failed: 0 });
			const q = await mailQueue(ctx, staff('clerk'));
			expect(q.failed.map((f) => f.id)).toContain(id);
			// SMTP is back on the same port; a supervisor puts the mail back in the queue.
			const back = await startMailSink({ smtpPort: port });
			try {
				expect((await rejects(retryFailedMail(ctx, staff('clerk'), { outboxId: id }))).status).toBe(403);
				await retryFailedMail(ctx, staff('supervisor'), { outboxId: id });
				expect(await deliverDue(ctx, down)).toMatchObject({ sent: 1 });
				expect(mailsOf(back.messages(), id)).toHaveLength(1);
				const row = await outboxRow(t.db, id);
				expect(row.published_at).not.toBeNull();
				expect(row.failed_at).toBeNull();
				expect(await t.db.models.AuditLog.count({ where: { action: 'mail.retried', targetId: id } })).toBe(1);
				expect((await rejects(retryFailedMail(ctx, staff('supervisor'), { outboxId: id }))).status).toBe(409);
			} finally {
				await back.close();
			}
		} finally {
			down.close();
		}
	});

	it('R-C10 a mail that failed twice is sent on the next try once SMTP answers again', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const b = await mailBooking(t.db);
		const id = await enqueueMail(t.db, 'reservation.moved', { reservationId: b.reservationId }, NOW);
		const down = createMailTransport('smtp://127.0.0.1:9'); // discard port: nothing listens
		for (let i = 0; i < 2; i++) {
			await deliverDue(ctx, down);
			clock.now = new Date((await outboxRow(t.db, id)).next_attempt_at);
		}
		down.close();
		expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 });
		expect(mailsOf(sink.messages(), id)).toHaveLength(1);
		expect((await outboxRow(t.db, id)).attempts).toBe(2);
	});

	it('R-C09 two deliverers on two connection pools at once (two nodes) send each mail exactly once', async () => {
		const dbB = secondPool(t.url, 4);
		const transportB = createMailTransport(sink.smtpUrl);
		try {
			const a = testContext(t.db, { now: NOW }).ctx;
			const b = testContext(dbB, { now: NOW }).ctx;
			const ids: string[] = [];
			for (let i = 0; i < 6; i++) {
				const bk = await mailBooking(t.db);
				ids.push(await enqueueMail(t.db, 'reservation.created', { reservationId: bk.reservationId }, NOW));
			}
			for (let i = 0; i < 24; i++) {
				const linkId = randomUUID();
				await t.db.sequelize.query(`INSERT INTO citizen_links (id, email, expires_at) VALUES (:id, :email, :exp)`, {
					replacements: { id: linkId, email: `c${i}@example.jp`, exp: new Date(NOW.getTime() + 3600_000).toISOString() }
				});
				ids.push(await enqueueMail(t.db, 'citizen.link', { linkId }, NOW));
			}
			const [ra, rb] = await Promise.all([deliverDue(a, transport), deliverDue(b, transportB)]);
			expect(ra.sent + rb.sent).toBe(ids.length);
			expect(ra.retried + rb.retried + ra.failed + rb.failed).toBe(0);
			for (const id of ids) expect(mailsOf(sink.messages(), id)).toHaveLength(1);
			const [[{ left }]] = (await t.db.sequelize.query(`SELECT count(*)::int AS left FROM outbox WHERE id IN (:ids) AND published_at IS NULL`, { replacements: { ids } })) as [
				{ left: number }[],
				unknown
			];
			expect(left).toBe(0);
		} finally {
			transportB.close();
			await dbB.close();
		}
	});
});

describe('delivery under a lease (issue 11: a 9:00 storm)', () => {
	const linkRow = async (email: string, at: Date) => {
		const linkId = randomUUID();
		await t.db.sequelize.query(`INSERT INTO citizen_links (id, email, expires_at) VALUES (:id, :email, :exp)`, {
			replacements: { id: linkId, email, exp: new Date(at.getTime() + 3600_000).toISOString() }
		});
		return enqueueMail(t.db, 'citizen.link', { linkId }, at);
	};
	const pgQuery = async (sql: string) => {
		const c = new pg.Client({ connectionString: t.url });
		await c.connect();
		try {
			return await c.query(sql);
		} finally {
			await c.end();
		}
	};
	const clear = () => t.db.sequelize.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND failed_at IS NULL`);

	it('R-C02 R-C09 login-link mails go out before older booking mails: a citizen waiting to sign in is not queued behind the morning’s confirmations', async () => {
		await clear();
		const { ctx } = testContext(t.db, { now: NOW });
		const older = new Date(NOW.getTime() - 60_000);
		const bookings: string[] = [];
		for (let i = 0; i < 10; i++) bookings.push(await enqueueMail(t.db, 'reservation.created', { reservationId: (await mailBooking(t.db)).reservationId }, older));
		const links = [await linkRow('wait-1@example.jp', NOW), await linkRow('wait-2@example.jp', NOW)];
		// a run that can take three rows takes the two links and the oldest booking mail
		expect(await deliverDue(ctx, transport, { limit: 3 })).toMatchObject({ sent: 3 });
		const published = async (ids: string[]) => Promise.all(ids.map(async (id) => (await outboxRow(t.db, id)).published_at !== null));
		expect(await published([...links, bookings[0]])).toEqual([true, true, true]);
		expect(await published(bookings.slice(1))).toEqual(bookings.slice(1).map(() => false));
		for (const id of [...links, bookings[0]]) await expect.poll(() => mailsOf(sink.messages(), id).length).toBe(1);
		expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 9 });
		expect(await published(bookings)).toEqual(bookings.map(() => true));
	});

	it('R-C09 a row is leased, not held in a transaction: while SMTP hangs no database connection waits in a transaction, no other node takes the row, and after the lease it is sent once', async () => {
		await clear();
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const id = await linkRow('lease@example.jp', NOW);
		// An SMTP server that accepts the connection and never greets.
		const silent = net.createServer(() => undefined);
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
		const hung = nodemailer.createTransport({ host: '127.0.0.1', port: (silent.address() as net.AddressInfo).port, greetingTimeout: 3_000, connectionTimeout: 3_000 });
		const reached = new Promise<void>((r) => silent.once('connection', () => r()));
		try {
			const stuck = deliverDue(ctx, hung);
			await reached; // the row is taken and SMTP hangs from now on (an event, not a guess of 1 s)
			const { rows } = await pgQuery(`SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`);
			expect(rows).toEqual([]);
			// another node, meanwhile: the row is leased
			expect(await deliverDue(testContext(t.db, { now: NOW }).ctx, transport)).toEqual({ sent: 0, skipped: 0, retried: 0, failed: 0 });
			expect(await stuck).toEqual({ sent: 0, skipped: 0, retried: 1, failed: 0 });
		} finally {
			hung.close();
			silent.close();
		}
		expect(mailsOf(sink.messages(), id)).toHaveLength(0);
		// The node that took the row dies before marking it: the row comes back when its lease ends.
		const row = await outboxRow(t.db, id);
		clock.now = new Date(row.next_attempt_at);
		await t.db.sequelize.query(`UPDATE outbox SET next_attempt_at = :lease WHERE id = :id`, { replacements: { id, lease: new Date(clock.now.getTime() + LEASE_MS).toISOString() } });
		expect(await deliverDue(testContext(t.db, { now: clock.now }).ctx, transport)).toEqual({ sent: 0, skipped: 0, retried: 0, failed: 0 });
		clock.now = new Date(clock.now.getTime() + LEASE_MS);
		expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 });
		expect(mailsOf(sink.messages(), id)).toHaveLength(1);
		expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, skipped: 0, retried: 0, failed: 0 });
	});
});

describe('header injection (R-O04)', () => {
	it('R-O04 an address with CR/LF or a second address is never sent to: the row fails at once and staff see it', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const before = sink.messages().length;
		const ids: string[] = [];
		for (const email of ['victim@example.jp\r\nBcc: attacker@evil.example', 'victim@example.jp, attacker@evil.example', '"x"@example.jp', 'victim@example.jp\nX-Injected: yes']) {
			const b = await mailBooking(t.db, { email });
			ids.push(await enqueueMail(t.db, 'reservation.created', { reservationId: b.reservationId }, NOW));
		}
		expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 0, failed: ids.length });
		expect(sink.messages().length).toBe(before);
		for (const id of ids) {
			const row = await outboxRow(t.db, id);
			expect(row.failed_at).not.toBeNull();
			expect(row.last_error).toBe('invalid recipient address');
		}
		const q = await mailQueue(ctx, staff('clerk'));
		const shown = q.failed.filter((f) => ids.includes(f.id));
		expect(shown).toHaveLength(ids.length);
		for (const f of shown) expect(f.to).toMatch(/^vi\*\*\*@|^"x\*\*\*@/);
		expect(JSON.stringify(q)).not.toContain('victim@');
	});

	it('R-O04 CR/LF and markup in the city name, the place and a person’s name add no header and no HTML', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await t.db.sequelize.query(`UPDATE city_settings SET city_name = jsonb_set(city_name, '{ja}', to_jsonb(CAST(:v AS text)))`, { replacements: { v: 'デモ市\r\nBcc: attacker@evil.example\r\nX-Injected: yes' } });
		try {
			const b = await mailBooking(t.db, { locationName: '本庁舎\r\nX-Place: 1<script>alert(1)</script>' });
			await t.db.sequelize.query(`UPDATE card_records SET name_kanji = :v WHERE id IN (SELECT card_record_id FROM reservation_persons WHERE reservation_id = :r)`, {
				replacements: { v: '<img src=x onerror=alert(1)>\r\nX-Person: 1', r: b.reservationId }
			});
			const id = await enqueueMail(t.db, 'reservation.created', { reservationId: b.reservationId }, NOW);
			expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 });
			const [m] = mailsOf(sink.messages(), id);
			expect(m.envelope.to).toEqual([b.email]);
			expect(m.to).toEqual([b.email]);
			for (const h of ['bcc', 'x-injected', 'x-place', 'x-person', 'cc']) expect(m.headers[h]).toBeUndefined();
			expect(m.subject).toContain(b.bookingNumber);
			expect(m.subject).not.toMatch(/[\r\n]/);
			expect(m.html).not.toContain('<script>alert');
			expect(m.html).not.toContain('<img src=x');
			expect(m.html).toContain('&lt;script&gt;');
		} finally {
			await t.db.sequelize.query(`UPDATE city_settings SET city_name = jsonb_set(city_name, '{ja}', '"デモ市"')`);
		}
	});
});

describe('reminders (R-C11)', () => {
	it('R-C11 one reminder per booking due within reminder_days, even when two nodes run at once; none for cancelled, past, far-off or address-less bookings; a booking cancelled after queueing gets none', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await t.db.sequelize.query(`UPDATE city_settings SET reminder_days = 2`);
		await t.db.sequelize.query(`UPDATE reservations SET reminder_sent_at = now()`); // earlier tests' bookings are not this test's
		const tomorrow = await mailBooking(t.db, { date: '2026-11-25' });
		const inTwoDays = await mailBooking(t.db, { date: '2026-11-26' });
		const laterToday = await mailBooking(t.db, { date: '2026-11-24', hhmm: '15:00' });
		const cancelLater = await mailBooking(t.db, { date: '2026-11-25' });
		const farOff = await mailBooking(t.db, { date: '2026-11-27' });
		const past = await mailBooking(t.db, { date: '2026-11-24', hhmm: '09:00' });
		const cancelled = await mailBooking(t.db, { date: '2026-11-25' });
		const noEmail = await mailBooking(t.db, { date: '2026-11-25', email: null });
		await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: cancelled.reservationId } });

		const dbB = secondPool(t.url, 2);
		let counts: number[];
		try {
			counts = await Promise.all([queueReminders(ctx), queueReminders({ db: dbB, now: () => NOW })]);
		} finally {
			await dbB.close();
		}
		expect(counts[0] + counts[1]).toBe(4);
		expect(await queueReminders(ctx)).toBe(0);
		const [rows] = (await t.db.sequelize.query(`SELECT id, payload->>'reservationId' AS r FROM outbox WHERE topic = 'reservation.reminder'`)) as [{ id: string; r: string }[], unknown];
		expect(rows.map((r) => r.r).sort()).toEqual([tomorrow, inTwoDays, laterToday, cancelLater].map((b) => b.reservationId).sort());
		for (const b of [farOff, past, cancelled, noEmail]) expect(rows.some((r) => r.r === b.reservationId)).toBe(false);

		await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: cancelLater.reservationId } });
		const report = await deliverDue(ctx, transport);
		expect(report).toMatchObject({ sent: 3, skipped: 1 });
		const mailOf = (b: { reservationId: string }) => mailsOf(sink.messages(), rows.find((r) => r.r === b.reservationId)!.id);
		expect(mailOf(cancelLater)).toHaveLength(0);
		const [m] = mailOf(inTwoDays);
		expect(m.subject).toBe(`【デモ市】ご来庁日が近づいています（予約番号 ${inTwoDays.bookingNumber}）`);
		expect(m.text).toContain('2日後');
		expect(m.text).toContain('2026年11月26日（木）10:30〜11:00');
		expect(m.attachments.map((a) => a.contentType.split(';')[0])).toContain('text/calendar');
		expect(mailOf(tomorrow)[0].text).toContain('明日');
		expect(mailOf(laterToday)[0].text).toContain('本日');
	});

	it('R-C11 reminder_days 0 sends no reminders', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await t.db.sequelize.query(`UPDATE city_settings SET reminder_days = 0`);
		try {
			await mailBooking(t.db, { date: '2026-11-25' });
			expect(await queueReminders(ctx)).toBe(0);
		} finally {
			await t.db.sequelize.query(`UPDATE city_settings SET reminder_days = 2`);
		}
	});
});

describe('staff resend and the mail queue', () => {
	const call = (id: string, principal: Principal | null) =>
		resendRoute({ params: { id }, locals: { principal }, getClientAddress: () => '127.0.0.1' } as unknown as Parameters<typeof resendRoute>[0]);

	it('R-C09 POST /api/v1/staff/reservations/{id}/resend: 401 without a session, 403 for a viewer, 202 for a clerk (outbox row, audit row, mail with the booking number); 404 unknown, 400 bad id, 409 cancelled or without address', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		let kicks = 0;
		ctx.kickOutbox = () => void kicks++;
		setAppContext(ctx);
		const b = await mailBooking(t.db);
		expect((await call(b.reservationId, null)).status).toBe(401);
		expect((await call(b.reservationId, staff('viewer'))).status).toBe(403);
		const ok = await call(b.reservationId, staff('clerk'));
		expect(ok.status).toBe(202);
		const body = await ok.json();
		expect(body).toMatchObject({ status: 'queued' });
		expect(kicks).toBe(1);
		const audit = await t.db.models.AuditLog.findOne({ where: { action: 'reservation.mail_resent', targetId: b.reservationId } });
		expect(audit?.actorId).toBe('clerk-1');
		expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 });
		const [m] = mailsOf(sink.messages(), body.outboxId);
		expect(m.subject).toBe(`【デモ市】予約内容のご案内（再送）（予約番号 ${b.bookingNumber}）`);

		const notFound = await call('999999999', staff('clerk'));
		expect(notFound.status).toBe(404);
		expect(notFound.headers.get('content-type')).toContain('application/problem+json');
		expect((await call('abc', staff('clerk'))).status).toBe(400);
		const noEmail = await mailBooking(t.db, { email: null });
		const r409 = await call(noEmail.reservationId, staff('supervisor'));
		expect(r409.status).toBe(409);
		expect((await r409.json()).reason).toBe('no_email');
		await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: b.reservationId } });
		expect((await call(b.reservationId, staff('admin'))).status).toBe(409);
	});

	it('R-C09 from the staff mail page a clerk resends by booking number, typed full-width or without the hyphen; unknown numbers are a 404, viewers a 403', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const b = await mailBooking(t.db);
		const fullWidth = b.bookingNumber.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
		const r = await resendByBookingNumber(ctx, staff('clerk'), { bookingNumber: ` ${fullWidth} ` });
		expect(r).toMatchObject({ status: 'queued', bookingNumber: b.bookingNumber });
		const [[row]] = (await t.db.sequelize.query(`SELECT topic, payload->>'reservationId' AS r FROM outbox WHERE id = :id`, { replacements: { id: r.outboxId } })) as [{ topic: string; r: string }[], unknown];
		expect(row).toEqual({ topic: 'reservation.resend', r: b.reservationId });
		expect((await rejects(resendByBookingNumber(ctx, staff('clerk'), { bookingNumber: '0000-0000' }))).status).toBe(404);
		expect((await rejects(resendByBookingNumber(ctx, staff('clerk'), { bookingNumber: "1' OR '1'='1" }))).status).toBe(400);
		expect((await rejects(resendByBookingNumber(ctx, staff('viewer'), { bookingNumber: b.bookingNumber }))).status).toBe(403);
	});

	it('R-C09 the mail queue lists waiting mails with the booking number and a masked address, to clerks and above only', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const b = await mailBooking(t.db);
		const id = await enqueueMail(t.db, 'reservation.created', { reservationId: b.reservationId }, new Date(NOW.getTime() + 3600_000));
		expect((await rejects(mailQueue(ctx, staff('viewer')))).status).toBe(403);
		const q = await mailQueue(ctx, staff('clerk'));
		const row = q.pending.find((p) => p.id === id)!;
		expect(row).toMatchObject({ topic: 'reservation.created', bookingNumber: b.bookingNumber, attempts: 0 });
		expect(row.to).toBe(`${b.email.slice(0, 2)}***@example.jp`);
	});
});

it('R-C09 the outbox-deliver job runs through pg-boss: a burst of kicks sends the waiting mail within seconds; mail jobs are scheduled', async () => {
	const { ctx } = testContext(t.db, { now: new Date(Date.now() + 60_000) });
	const b = await mailBooking(t.db);
	const id = await enqueueMail(t.db, 'reservation.resend', { reservationId: b.reservationId }, new Date(Date.now() - 1000));
	const jobs = await startJobs(ctx, t.url, { mail: transport });
	try {
		for (let i = 0; i < 5; i++) jobs.kickOutbox();
		const deadline = Date.now() + 20_000;
		while (mailsOf(sink.messages(), id).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
		expect(mailsOf(sink.messages(), id)).toHaveLength(1);
		const schedules = (await jobs.boss.getSchedules()).map((s) => s.name);
		expect(schedules).toEqual(expect.arrayContaining([JOBS.deliverOutbox, JOBS.remindReservations]));
	} finally {
		await jobs.stop();
	}
});
