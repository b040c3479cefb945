import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { testContext } from '../harness/context.ts';
import { decodeQr, enqueueMail, everything, mailBooking, mailsOf, outboxRow, type MailBooking } from '../harness/mail.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { verifyLinkToken, manageTokenRef, manageTokenValid } from '../../src/lib/server/citizen/tokens.ts';
import { mailTestSetup } from '../harness/mail-setup.ts';

const env = mailTestSetup('mail');

const NOW = new Date('2026-11-24T01:00:00Z'); // 10:00 in Tokyo

type Booking = MailBooking;
const booking = (over: Parameters<typeof mailBooking>[1] = {}) => mailBooking(env.t.db, over);
const enqueue = (topic: string, payload: Record<string, unknown>) => enqueueMail(env.t.db, topic, payload, NOW);
const received = (id: string) => mailsOf(env.sink.messages(), id);

async function deliverOnce(topic: string, b: Booking) {
	const { ctx } = testContext(env.t.db, { now: NOW });
	const id = await enqueue(topic, { reservationId: b.reservationId });
	const report = await deliverDue(ctx, env.transport);
	const mails = received(id);
	return { id, report, mails, ctx };
}

describe('booking mails', () => {
	it('R-C09 the confirmation arrives in Japanese: booking number in the subject, Tokyo date with weekday, place, purpose, masked names, what to bring, manage link, contact; no notice ID or birth date anywhere', async () => {
		const b = await booking();
		const { id, mails, ctx, report } = await deliverOnce('reservation.created', b);
		expect(report.sent).toBe(1);
		expect(mails).toHaveLength(1);
		const m = mails[0];
		expect(m.subject).toContain(b.bookingNumber);
		expect(m.subject).toContain('予約を受け付けました');
		expect(m.to).toEqual([b.email]);
		expect(m.envelope.to).toEqual([b.email]);
		for (const body of [m.text, m.html!]) {
			expect(body).toContain('2026年11月25日（水）10:30〜11:00');
			expect(body).toMatch(/中央市民センター\d+/);
			expect(body).toContain('中央町1-2-3');
			expect(body).toContain('中央駅から徒歩5分');
			expect(body).toContain('カードの交付');
			expect(body).toContain('山田 ＊＊');
			expect(body).toContain('交付通知書（はがき）をお持ちください');
			expect(body).toContain('市民課 マイナンバーカード係');
			expect(body).not.toContain('太郎');
			expect(body).not.toContain('花子');
		}
		const all = everything(m);
		for (const secret of [...b.noticeIds, ...b.birthDates, ...b.birthDates.map((d) => d.replaceAll('-', '/'))]) expect(all).not.toContain(secret);
		// The manage link is signed for this booking.
		const url = m.text.match(/http:\/\/127\.0\.0\.1:3000\/manage\/(\S+)/);
		expect(url).not.toBeNull();
		const [[r]] = (await env.t.db.sequelize.query(`SELECT public_ref, token_version FROM reservations WHERE id = :id`, { replacements: { id: b.reservationId } })) as [
			{ public_ref: string; token_version: number }[],
			unknown
		];
		expect(manageTokenRef(url![1])).toBe(r.public_ref);
		expect(manageTokenValid(ctx.jwtSecret, url![1], r.token_version)).toBe(true);
		expect(m.messageId).toMatch(new RegExp(`^<outbox-${id}\\.[0-9a-f]{12}@127\\.0\\.0\\.1>$`));
		expect((await outboxRow(env.t.db, id)).published_at).not.toBeNull();
	});

	it('R-C09 the QR code (inline and as a file) decodes to the check-in code only; the .ics has DTSTART, DTEND, LOCATION with the address and the booking number', async () => {
		const b = await booking();
		const { mails } = await deliverOnce('reservation.created', b);
		const m = mails[0];
		const qrs = m.attachments.filter((a) => a.contentType === 'image/png');
		expect(qrs).toHaveLength(2);
		expect(qrs.some((a) => a.cid && m.html!.includes(`cid:${a.cid}`))).toBe(true);
		for (const q of qrs) expect(decodeQr(q.content)).toBe(b.checkinCode);
		const ics = m.attachments.find((a) => a.contentType.startsWith('text/calendar'));
		expect(ics?.filename).toBe(`yoyaku-${b.bookingNumber}.ics`);
		const cal = ics!.content.toString('utf8').replace(/\r\n[ \t]/g, '');
		expect(cal).toContain('BEGIN:VEVENT');
		expect(cal).toMatch(/DTSTART:20261125T013000Z/); // 10:30 Tokyo
		expect(cal).toMatch(/DTEND:20261125T020000Z/);
		expect(cal).toMatch(/LOCATION:中央市民センター\d+ 中央町1-2-3/);
		expect(cal).toContain(b.bookingNumber);
		expect(cal).not.toContain('/manage/'); // the manage link is a secret: the calendar names the site instead
	});

	it('R-C09 an English booking gets the English mail, with the same details', async () => {
		const b = await booking({ lang: 'en' });
		const { mails } = await deliverOnce('reservation.created', b);
		const m = mails[0];
		expect(m.subject).toBe(`[Demo City] Your booking is confirmed (booking ${b.bookingNumber})`);
		expect(m.text).toContain('Wednesday, 25 November 2026, 10:30–11:00');
		expect(m.text).toContain('1-2-3 Chuo-cho');
		expect(m.text).toContain('Bring the issuance notice (postcard)');
		expect(m.html).toContain('山田 ＊＊');
		expect(m.html).toContain('lang="en"');
		expect(everything(m)).not.toContain(b.noticeIds[0]);
	});

	it('R-C10 moved and person-added mails carry the new details, the QR code and the .ics again; a cancelled one says what was cancelled and links to booking again', async () => {
		const b = await booking();
		const moved = (await deliverOnce('reservation.moved', b)).mails[0];
		expect(moved.subject).toContain(b.bookingNumber);
		expect(moved.subject).toContain('変更しました');
		expect(moved.attachments.map((a) => a.contentType.split(';')[0])).toEqual(['image/png', 'image/png', 'text/calendar']);
		const added = (await deliverOnce('reservation.person_added', b)).mails[0];
		expect(added.subject).toContain(b.bookingNumber);
		expect(added.text).toContain('追加しました');
		expect(added.attachments).toHaveLength(3);

		await env.t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: b.reservationId } });
		const cancelled = (await deliverOnce('reservation.cancelled', b)).mails[0];
		expect(cancelled.subject).toBe(`【デモ市】予約を取り消しました（予約番号 ${b.bookingNumber}）`);
		expect(cancelled.text).toContain('2026年11月25日（水）10:30〜11:00');
		expect(cancelled.text).toContain('山田 ＊＊');
		expect(cancelled.text).toContain('http://127.0.0.1:3000/');
		expect(cancelled.text).not.toContain('/manage/');
		// only the cancelling calendar entry (METHOD:CANCEL), no QR code
		expect(cancelled.attachments.map((a) => a.contentType.split(';')[0])).toEqual(['text/calendar']);
		expect(cancelled.attachments[0].content.toString('utf8')).toContain('METHOD:CANCEL');
	});

	it('R-S13 the no-show follow-up invites to book again', async () => {
		const b = await booking();
		await env.t.db.sequelize.query(`UPDATE reservations SET status = 'no_show' WHERE id = :id`, { replacements: { id: b.reservationId } });
		const m = (await deliverOnce('reservation.no_show', b)).mails[0];
		expect(m.subject).toContain(b.bookingNumber);
		expect(m.text).toContain('ご来庁を確認できませんでした');
		expect(m.text).toContain('http://127.0.0.1:3000/');
	});

	it('R-C09 a booking without an address is marked done and nothing is sent', async () => {
		const b = await booking({ email: null });
		const before = env.sink.messages().length;
		const { id, report } = await deliverOnce('reservation.created', b);
		expect(report).toEqual({ sent: 0, skipped: 1, retried: 0, failed: 0 });
		expect((await outboxRow(env.t.db, id)).published_at).not.toBeNull();
		expect(env.sink.messages().length).toBe(before);
	});
});

describe('sign-in link mail', () => {
	async function link(over: { usedAt?: Date; expiresAt?: Date; lang?: 'ja' | 'en' } = {}) {
		const id = randomUUID();
		await env.t.db.sequelize.query(`INSERT INTO citizen_links (id, email, lang, expires_at, used_at) VALUES (:id, :email, :lang, :exp, :used)`, {
			replacements: { id, email: `link-${id.slice(0, 6)}@example.jp`, lang: over.lang ?? 'ja', exp: (over.expiresAt ?? new Date(NOW.getTime() + 30 * 60_000)).toISOString(), used: over.usedAt?.toISOString() ?? null }
		});
		return id;
	}

	it('R-C02 the link mail carries a signed single-use link, how long it is valid and what to do if not asked for', async () => {
		const { ctx } = testContext(env.t.db, { now: NOW });
		const linkId = await link();
		const out = await enqueue('citizen.link', { linkId });
		await deliverDue(ctx, env.transport);
		const [m] = received(out);
		expect(m.subject).toBe('【デモ市】マイナンバーカード受取予約のURLをお送りします');
		const token = m.text.match(/http:\/\/127\.0\.0\.1:3000\/start\/(\S+)/)![1];
		expect(verifyLinkToken(ctx.jwtSecret, token)).toBe(linkId);
		expect(m.text).toContain('有効期限は30分');
		expect(m.text).toContain('心当たりがない場合');
		expect(m.html).toContain(`/start/${token}`);
	});

	it('R-C02 English link mail; a used or expired link is not mailed', async () => {
		const { ctx } = testContext(env.t.db, { now: NOW });
		const en = await enqueue('citizen.link', { linkId: await link({ lang: 'en' }) });
		const used = await enqueue('citizen.link', { linkId: await link({ usedAt: NOW }) });
		const expired = await enqueue('citizen.link', { linkId: await link({ expiresAt: new Date(NOW.getTime() - 1000) }) });
		const report = await deliverDue(ctx, env.transport);
		expect(report).toMatchObject({ sent: 1, skipped: 2 });
		expect(received(en)[0].text).toContain('valid for 30 minutes');
		expect(received(used)).toHaveLength(0);
		expect(received(expired)).toHaveLength(0);
		expect((await outboxRow(env.t.db, used)).published_at).not.toBeNull();
	});
});

it('R-S13 an admin’s own no-show follow-up text replaces the built-in one, with its placeholders filled', async () => {
	const { composeMail } = await import('../../src/lib/server/mail/compose.ts');
	const { ctx } = testContext(env.t.db);
	const b = await mailBooking(env.t.db, { lang: 'ja' });
	await env.t.db.sequelize.query(`DELETE FROM mail_texts WHERE key = 'reservation.no_show'`);
	await env.t.db.sequelize.query(
		`INSERT INTO mail_texts (key, lang, subject, body) VALUES ('reservation.no_show', 'ja', '【{{cityName}}】予約番号 {{bookingNumber}}', '{{date}} {{time}} {{locationName}}\n{{bookingUrl}}\n<b>再予約</b>')`
	);
	try {
		const id = await enqueueMail(env.t.db, 'reservation.no_show', { reservationId: b.reservationId });
		const c = await composeMail(ctx, { id, topic: 'reservation.no_show', payload: { reservationId: b.reservationId }, attempts: 0 } as never);
		expect(c.kind).toBe('send');
		if (c.kind !== 'send') return;
		expect(c.message.subject).toBe(`【デモ市】予約番号 ${b.bookingNumber}`);
		expect(c.message.text).toContain('2026年11月25日（水） 10:30〜11:00');
		expect(c.message.text).toContain('http://');
		expect(c.message.html).toContain('&lt;b&gt;再予約&lt;/b&gt;');
	} finally {
		await env.t.db.sequelize.query(`DELETE FROM mail_texts WHERE key = 'reservation.no_show'`);
	}
});
