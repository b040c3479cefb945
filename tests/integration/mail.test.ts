import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot } from '../harness/factories.ts';
import { startMailSink, type MailSink, type SinkMessage } from '../../server/mail-sink.ts';
import { createMailTransport, type MailTransport } from '../../src/lib/server/mail/transport.ts';
import { deliverDue, MAX_ATTEMPTS } from '../../src/lib/server/mail/outbox.ts';
import { verifyLinkToken, manageTokenRef, manageTokenValid } from '../../src/lib/server/citizen/tokens.ts';

let t: TestDatabase;
let sink: MailSink;
let transport: MailTransport;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'mail');
	sink = await startMailSink();
	transport = createMailTransport(sink.smtpUrl);
});
afterAll(async () => {
	transport?.close();
	await sink?.close();
	await t?.drop();
});

const NOW = new Date('2026-11-24T01:00:00Z'); // 10:00 in Tokyo

interface Booking {
	reservationId: string;
	bookingNumber: string;
	checkinCode: string;
	noticeIds: string[];
	birthDates: string[];
	email: string;
}

let n = 0;
/** A booking of two persons, 2026-11-25 10:30–11:00 Tokyo, at a location with an address, with an address to mail. */
async function booking(over: { lang?: 'ja' | 'en'; email?: string | null; date?: string; locationName?: string } = {}): Promise<Booking> {
	const loc = await makeLocation(t.db, { nameJa: over.locationName ?? `中央市民センター${++n}` });
	await loc.update({ addressJa: '中央町1-2-3', addressEn: '1-2-3 Chuo-cho', accessJa: '中央駅から徒歩5分', accessEn: '5 min walk from Chuo Station' });
	const slot = await makeSlot(t.db, loc.id, over.date ?? '2026-11-25', '10:30', 5);
	const r = await makeReservation(t.db, slot, 2);
	await t.db.sequelize.query(`UPDATE card_records SET name_kanji = '山田 太郎', name_kana = 'ヤマダ タロウ' WHERE id = :id`, { replacements: { id: r.cardIds[0] } });
	await t.db.sequelize.query(`UPDATE card_records SET name_kanji = '山田 花子', name_kana = 'ヤマダ ハナコ' WHERE id = :id`, { replacements: { id: r.cardIds[1] } });
	const email = over.email === undefined ? `taro${n}@example.jp` : over.email;
	const [[row]] = (await t.db.sequelize.query(
		`UPDATE reservations SET email = :email, lang = :lang WHERE id = :id RETURNING booking_number, checkin_code`,
		{ replacements: { id: r.reservationId, email, lang: over.lang ?? 'ja' } }
	)) as [{ booking_number: string; checkin_code: string }[], unknown];
	const [cards] = (await t.db.sequelize.query(`SELECT notice_id, birth_date FROM card_records WHERE id IN (:ids)`, { replacements: { ids: r.cardIds } })) as [
		{ notice_id: string; birth_date: string }[],
		unknown
	];
	return {
		reservationId: r.reservationId,
		bookingNumber: row.booking_number,
		checkinCode: row.checkin_code,
		noticeIds: cards.map((c) => c.notice_id),
		birthDates: cards.map((c) => c.birth_date),
		email: email ?? ''
	};
}

async function enqueue(topic: string, payload: Record<string, unknown>): Promise<string> {
	const [[row]] = (await t.db.sequelize.query(`INSERT INTO outbox (topic, payload, next_attempt_at) VALUES (:topic, CAST(:p AS jsonb), :at) RETURNING id`, {
		replacements: { topic, p: JSON.stringify(payload), at: NOW.toISOString() }
	})) as [{ id: string }[], unknown];
	return String(row.id);
}

async function outboxRow(id: string) {
	const [[row]] = (await t.db.sequelize.query(`SELECT * FROM outbox WHERE id = :id`, { replacements: { id } })) as [
		{ attempts: number; published_at: Date | null; failed_at: Date | null; next_attempt_at: Date; last_error: string | null }[],
		unknown
	];
	return row;
}

const received = (messageIdPart: string): SinkMessage[] => sink.messages().filter((m) => m.messageId?.includes(`outbox-${messageIdPart}.`));

/** Everything a reader (or a mail server) could see of a message, as text. */
function everything(m: SinkMessage): string {
	return [m.subject, m.text, m.html ?? '', JSON.stringify(m.headers), ...m.attachments.map((a) => (a.contentType.startsWith('text/') ? a.content.toString('utf8') : a.filename ?? ''))].join('\n');
}

function decodeQr(png: Buffer): string | null {
	const img = PNG.sync.read(png);
	return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

async function deliverOnce(topic: string, b: Booking) {
	const { ctx } = testContext(t.db, { now: NOW });
	const id = await enqueue(topic, { reservationId: b.reservationId });
	const report = await deliverDue(ctx, transport);
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
		const [[r]] = (await t.db.sequelize.query(`SELECT public_ref, token_version FROM reservations WHERE id = :id`, { replacements: { id: b.reservationId } })) as [
			{ public_ref: string; token_version: number }[],
			unknown
		];
		expect(manageTokenRef(url![1])).toBe(r.public_ref);
		expect(manageTokenValid(ctx.jwtSecret, url![1], r.token_version)).toBe(true);
		expect(m.messageId).toMatch(new RegExp(`^<outbox-${id}\\.[0-9a-f]{12}@127\\.0\\.0\\.1>$`));
		expect((await outboxRow(id)).published_at).not.toBeNull();
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
		expect(cal).toContain('/manage/');
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

		await t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = now() WHERE id = :id`, { replacements: { id: b.reservationId } });
		const cancelled = (await deliverOnce('reservation.cancelled', b)).mails[0];
		expect(cancelled.subject).toBe(`【デモ市】予約を取り消しました（予約番号 ${b.bookingNumber}）`);
		expect(cancelled.text).toContain('2026年11月25日（水）10:30〜11:00');
		expect(cancelled.text).toContain('山田 ＊＊');
		expect(cancelled.text).toContain('http://127.0.0.1:3000/');
		expect(cancelled.text).not.toContain('/manage/');
		expect(cancelled.attachments).toHaveLength(0);
	});

	it('R-S13 the no-show follow-up invites to book again', async () => {
		const b = await booking();
		await t.db.sequelize.query(`UPDATE reservations SET status = 'no_show' WHERE id = :id`, { replacements: { id: b.reservationId } });
		const m = (await deliverOnce('reservation.no_show', b)).mails[0];
		expect(m.subject).toContain(b.bookingNumber);
		expect(m.text).toContain('ご来庁を確認できませんでした');
		expect(m.text).toContain('http://127.0.0.1:3000/');
	});

	it('R-C09 a booking without an address is marked done and nothing is sent', async () => {
		const b = await booking({ email: null });
		const before = sink.messages().length;
		const { id, report } = await deliverOnce('reservation.created', b);
		expect(report).toEqual({ sent: 0, skipped: 1, retried: 0, failed: 0 });
		expect((await outboxRow(id)).published_at).not.toBeNull();
		expect(sink.messages().length).toBe(before);
	});
});

describe('sign-in link mail', () => {
	async function link(over: { usedAt?: Date; expiresAt?: Date; lang?: 'ja' | 'en' } = {}) {
		const id = randomUUID();
		await t.db.sequelize.query(`INSERT INTO citizen_links (id, email, lang, expires_at, used_at) VALUES (:id, :email, :lang, :exp, :used)`, {
			replacements: { id, email: `link-${id.slice(0, 6)}@example.jp`, lang: over.lang ?? 'ja', exp: (over.expiresAt ?? new Date(NOW.getTime() + 30 * 60_000)).toISOString(), used: over.usedAt?.toISOString() ?? null }
		});
		return id;
	}

	it('R-C02 the link mail carries a signed single-use link, how long it is valid and what to do if not asked for', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const linkId = await link();
		const out = await enqueue('citizen.link', { linkId });
		await deliverDue(ctx, transport);
		const [m] = received(out);
		expect(m.subject).toBe('【デモ市】マイナンバーカード受取予約のURLをお送りします');
		const token = m.text.match(/http:\/\/127\.0\.0\.1:3000\/start\/(\S+)/)![1];
		expect(verifyLinkToken(ctx.jwtSecret, token)).toBe(linkId);
		expect(m.text).toContain('有効期限は30分');
		expect(m.text).toContain('心当たりがない場合');
		expect(m.html).toContain(`/start/${token}`);
	});

	it('R-C02 English link mail; a used or expired link is not mailed', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const en = await enqueue('citizen.link', { linkId: await link({ lang: 'en' }) });
		const used = await enqueue('citizen.link', { linkId: await link({ usedAt: NOW }) });
		const expired = await enqueue('citizen.link', { linkId: await link({ expiresAt: new Date(NOW.getTime() - 1000) }) });
		const report = await deliverDue(ctx, transport);
		expect(report).toMatchObject({ sent: 1, skipped: 2 });
		expect(received(en)[0].text).toContain('valid for 30 minutes');
		expect(received(used)).toHaveLength(0);
		expect(received(expired)).toHaveLength(0);
		expect((await outboxRow(used)).published_at).not.toBeNull();
	});
});
