/**
 * Mail delivery benchmark (`npm run bench:mail`; not part of `npm test`).
 *
 * A fresh database on the local Postgres, N bookings each with a 'reservation.created' outbox row,
 * and the real sink on 127.0.0.1. Measures the outbox deliverer (claim with SKIP LOCKED, load,
 * render text + HTML, QR PNG, .ics, SMTP, mark published) with one deliverer and with two at once
 * (two pools, as two nodes), against the same run's ceiling: the same transport sending N
 * already-built messages of the same shape (no database, no rendering). Checks every row went
 * out exactly once.
 *
 * Env: BENCH_MAILS (300).
 */
import { Sequelize } from 'sequelize';
import pg from 'pg';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { enqueueMail, mailBooking, type MailBooking } from '../harness/mail.ts';
import { startMailSink } from '../../server/dev/mail-sink.ts';
import { createMailTransport, sendMail } from '../../src/lib/server/mail/transport.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { composeMail } from '../../src/lib/server/mail/compose.ts';
import { preparedOn, type Db } from '../../db/index.ts';

const N = Number(process.env.BENCH_MAILS ?? 300);
const NOW = new Date('2026-11-24T01:00:00Z');
const services = await ensureServices();
const t = await createTestDatabase(services.databaseUrl, 'benchmail');
const sink = await startMailSink();
const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(0)}/s`;

try {
	const { ctx } = testContext(t.db, { now: NOW });
	const bookings: MailBooking[] = [];
	for (let i = 0; i < N; i++) bookings.push(await mailBooking(t.db));
	const enqueueAll = async () => {
		const ids: string[] = [];
		for (const b of bookings) ids.push(await enqueueMail(t.db, 'reservation.created', { reservationId: b.reservationId }, NOW));
		return ids;
	};

	// Ceiling: the same messages, built once, sent through the same kind of transport.
	const sample = await composeMail(ctx, { id: '0', topic: 'reservation.created', payload: { reservationId: bookings[0].reservationId } });
	if (sample.kind !== 'send') throw new Error('sample not sendable');
	const base = createMailTransport(sink.smtpUrl);
	let t0 = performance.now();
	await Promise.all(Array.from({ length: 2 }, async (_, w) => {
		for (let i = w; i < N; i += 2) await sendMail(base, { ...sample.message, messageId: `<base-${i}@bench>` });
	}));
	const ceilingMs = performance.now() - t0;
	base.close();
	sink.clear();

	await enqueueAll();
	const one = createMailTransport(sink.smtpUrl);
	t0 = performance.now();
	const r1 = await deliverDue(ctx, one, { limit: N + 10 });
	const oneMs = performance.now() - t0;
	one.close();
	if (r1.sent !== N || sink.messages().length !== N) throw new Error(`one deliverer: ${JSON.stringify(r1)}`);
	sink.clear();

	const ids = await enqueueAll();
	const seqB = new Sequelize(t.url, { dialect: 'postgres', dialectModule: pg, logging: false, pool: { max: 10, min: 0 } });
	const dbB: Db = { sequelize: seqB, models: t.db.models, read: seqB, readModels: t.db.models, prepared: (n, q, v) => preparedOn(seqB, n, q, v), live: (n, q, v) => preparedOn(seqB, n, q, v), close: () => seqB.close() };
	const ctxB = testContext(dbB, { now: NOW }).ctx;
	const [ta, tb] = [createMailTransport(sink.smtpUrl), createMailTransport(sink.smtpUrl)];
	t0 = performance.now();
	const [ra, rb] = await Promise.all([deliverDue(ctx, ta, { limit: N }), deliverDue(ctxB, tb, { limit: N })]);
	const twoMs = performance.now() - t0;
	ta.close();
	tb.close();
	await dbB.close();
	const perRow = new Map<string, number>();
	for (const m of sink.messages()) {
		const id = m.messageId?.match(/<outbox-(\d+)\./)?.[1];
		if (id) perRow.set(id, (perRow.get(id) ?? 0) + 1);
	}
	const once = ids.every((id) => perRow.get(id) === 1);

	console.log(`\nmail delivery, ${N} booking confirmations (text + HTML + QR PNG + .ics, ~${Math.round(sample.message.html.length / 1024)} KiB HTML)`);
	console.log(`  ceiling: prebuilt messages, same transport      ${ceilingMs.toFixed(0).padStart(6)} ms  ${rate(N, ceilingMs)}`);
	console.log(`  outbox, one deliverer                           ${oneMs.toFixed(0).padStart(6)} ms  ${rate(N, oneMs)}  (${(oneMs / ceilingMs).toFixed(2)}× the ceiling's time)`);
	console.log(`  outbox, two deliverers (two pools) at once      ${twoMs.toFixed(0).padStart(6)} ms  ${rate(N, twoMs)}  (split ${ra.sent} / ${rb.sent})`);
	console.log(`  every row sent exactly once: ${once ? 'yes' : 'NO'}`);
	if (!once) process.exitCode = 1;
} finally {
	await sink.close();
	await t.drop();
	await services.stop();
}
