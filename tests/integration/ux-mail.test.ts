/** Mails and calendar files as a citizen reads them (R-C02, R-C09, R-C10, R-C16): each test failed before its fix. */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { testContext } from '../harness/context.ts';
import { enqueueMail, mailBooking, mailsOf } from '../harness/mail.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { manageToken, verifyLinkToken } from '../../src/lib/server/citizen/tokens.ts';
import { reservationIcs } from '../../src/lib/server/citizen/ics.ts';
import { viewManaged } from '../../src/lib/server/citizen/manage.ts';
import type { SinkMessage } from '../../server/dev/mail-sink.ts';
import { mailTestSetup } from '../harness/mail-setup.ts';

const env = mailTestSetup('ux-mail');
const NOW = new Date('2026-11-24T01:00:00Z');

describe('sign-in link', () => {
	async function link(lang: 'ja' | 'en') {
		const id = randomUUID();
		await env.t.db.sequelize.query(`INSERT INTO citizen_links (id, email, lang, expires_at) VALUES (:id, :email, :lang, :exp)`, {
			replacements: { id, email: `ux-${id.slice(0, 6)}@example.jp`, lang, exp: new Date(NOW.getTime() + 30 * 60_000).toISOString() }
		});
		return id;
	}

	it('R-C16 R-C02 the English link carries its language (/start/{token}?lang=en), so it opens in English without a language cookie; the Japanese one stays the bare contract path', async () => {
		const { ctx } = testContext(env.t.db, { now: NOW });
		const enId = await link('en');
		const jaId = await link('ja');
		const en = await enqueueMail(env.t.db, 'citizen.link', { linkId: enId }, NOW);
		const ja = await enqueueMail(env.t.db, 'citizen.link', { linkId: jaId }, NOW);
		await deliverDue(ctx, env.transport);
		const [me] = mailsOf(env.sink.messages(), en);
		const [mj] = mailsOf(env.sink.messages(), ja);
		const enUrl = me.text.match(/http:\/\/127\.0\.0\.1:3000\/start\/\S+/)![0];
		expect(new URL(enUrl).searchParams.get('lang')).toBe('en');
		expect(verifyLinkToken(ctx.jwtSecret, new URL(enUrl).pathname.split('/')[2])).toBe(enId);
		expect(me.html!.replaceAll('&#x3D;', '=')).toContain(`/start/${new URL(enUrl).pathname.split('/')[2]}?lang=en`);
		const jaUrl = mj.text.match(/http:\/\/127\.0\.0\.1:3000\/start\/\S+/)![0];
		expect(new URL(jaUrl).search).toBe('');
		expect(verifyLinkToken(ctx.jwtSecret, new URL(jaUrl).pathname.split('/')[2])).toBe(jaId);
	});
});

describe('booking mails and the calendar entry', () => {
	const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');
	const icsOf = (m: SinkMessage) => unfold(m.attachments.find((a) => a.contentType.startsWith('text/calendar'))!.content.toString('utf8'));
	const field = (ics: string, name: string) => ics.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1];
	async function send(topic: string, reservationId: string, now = NOW) {
		const { ctx } = testContext(env.t.db, { now });
		const id = await enqueueMail(env.t.db, topic, { reservationId }, now);
		await deliverDue(ctx, env.transport);
		const [m] = mailsOf(env.sink.messages(), id);
		expect(m, topic).toBeTruthy();
		return { m, ctx };
	}

	it('R-C09 R-C10 one UID per booking on the page and in every mail, SEQUENCE growing with each change; a cancel mail carries METHOD:CANCEL with that UID; no manage link in any .ics', async () => {
		const b = await mailBooking(env.t.db);
		const { m: created, ctx } = await send('reservation.created', b.reservationId);
		const first = icsOf(created);
		const uid = field(first, 'UID');
		expect(uid).toBe(`${b.bookingNumber}@mynumber-reservation`);
		expect(field(first, 'METHOD')).toBe('PUBLISH');
		// the manage page's download is the same event
		const [[ref]] = (await env.t.db.sequelize.query(`SELECT public_ref, token_version FROM reservations WHERE id = :id`, { replacements: { id: b.reservationId } })) as [
			{ public_ref: string; token_version: number }[],
			unknown
		];
		const token = manageToken(ctx.jwtSecret, ref.public_ref, ref.token_version);
		const page = unfold(reservationIcs(await viewManaged(ctx, token), ctx.publicOrigin, 'ja'));
		expect(field(page, 'UID')).toBe(uid);
		expect(field(page, 'SEQUENCE')).toBe(field(first, 'SEQUENCE'));
		// a change (as move.ts writes it) raises SEQUENCE; the UID stays
		await env.t.db.sequelize.query(`UPDATE reservations SET updated_at = created_at + interval '1 hour' WHERE id = :id`, { replacements: { id: b.reservationId } });
		const { m: moved } = await send('reservation.moved', b.reservationId);
		const second = icsOf(moved);
		expect(field(second, 'UID')).toBe(uid);
		expect(Number(field(second, 'SEQUENCE'))).toBeGreaterThan(Number(field(first, 'SEQUENCE') ?? 0));
		// the cancel mail removes it from the calendar
		await env.t.db.sequelize.query(`UPDATE reservations SET status = 'cancelled', cancelled_at = created_at + interval '2 hours', updated_at = created_at + interval '2 hours' WHERE id = :id`, {
			replacements: { id: b.reservationId }
		});
		const { m: cancelled } = await send('reservation.cancelled', b.reservationId);
		const third = icsOf(cancelled);
		expect(field(third, 'METHOD')).toBe('CANCEL');
		expect(field(third, 'STATUS')).toBe('CANCELLED');
		expect(field(third, 'UID')).toBe(uid);
		expect(Number(field(third, 'SEQUENCE'))).toBeGreaterThan(Number(field(second, 'SEQUENCE')));
		for (const ics of [first, second, third, page]) {
			expect(ics).not.toContain(token);
			expect(ics).not.toContain('/manage/');
			expect(field(ics, 'URL')).toBe('http://127.0.0.1:3000/');
		}
	});

	it('R-C10 R-C09 the change mail says what is true (the QR code stays the same); every QR mail names the booking number as the fallback, never the long code', async () => {
		const b = await mailBooking(env.t.db);
		const { m } = await send('reservation.moved', b.reservationId);
		for (const body of [m.text, m.html!]) {
			expect(body).not.toContain('使えません');
			expect(body).toContain('QRコードと予約番号は変わりません');
			expect(body).toContain(`読み取れないときは、予約番号（${b.bookingNumber}）をお伝えください`);
			expect(body).not.toContain(b.checkinCode);
		}
		const en = await mailBooking(env.t.db, { lang: 'en' });
		const { m: me } = await send('reservation.moved', en.reservationId);
		expect(me.text).toContain('stay the same');
		expect(me.text).not.toContain('instead of the earlier ones');
		expect(me.text).toContain(`tell the staff your booking number (${en.bookingNumber})`);
	});
});
