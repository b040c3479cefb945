/**
 * Turns one outbox row into a mail: reads what the topic needs (data.ts), decides whether it
 * should go at all, builds the view (masked names, Tokyo times, signed links) and the
 * attachments (QR code with the check-in code only, an .ics), and renders the templates.
 */
import { customText } from './custom-text.ts';
import Handlebars from 'handlebars';
import { emergencyMail } from '../ops/emergency.ts';
import { bulkMailFor } from './bulk.ts';
import { createHmac } from 'node:crypto';
import QRCode from 'qrcode';
import { reservationIcs } from '../citizen/ics.ts';
import type { AppContext } from '../context.ts';
import { linkToken, linkUrl, manageToken, manageUrl } from '../citizen/tokens.ts';
import { formatVisit, isDeliverableAddress, maskName } from '../../domain/mail-format.ts';
import { dayNumber, tokyoDate, tokyoTime } from '../../domain/schedule/time.ts';
import { loadLinkMail, loadReservationMail, type ReservationMailData } from './data.ts';
import { isMailTopic, renderMail, type MailTopic } from './templates.ts';
import type { MailAttachment, MailMessage } from './transport.ts';

export interface OutboxRow {
	id: string;
	topic: string;
	payload: Record<string, unknown>;
}

export type Composed =
	| { kind: 'send'; message: MailMessage }
	/** nothing to send, and never will be (no address, link already used, visit no longer active …): the row is done */
	| { kind: 'skip'; reason: string }
	/** can never be sent (e.g. an address that is not a plain address): the row fails at once, visible to staff */
	| { kind: 'invalid'; reason: string };

/** Topics whose mail carries the QR code and the calendar file. */
const WITH_VISIT: ReadonlySet<MailTopic> = new Set(['reservation.created', 'reservation.resend', 'reservation.moved', 'reservation.person_added', 'reservation.reminder']);

const QR_CID = 'checkin-qr@mynumber';

/**
 * The Message-ID is a function of the outbox row (and the deployment's secret), never random:
 * if a mail must be sent again after a crash (see outbox.ts), it carries the same id, so mail
 * systems that drop duplicates by Message-ID show it once.
 */
export function messageIdFor(ctx: Pick<AppContext, 'jwtSecret' | 'publicOrigin'>, outboxId: string): string {
	const tag = createHmac('sha256', ctx.jwtSecret).update(`mynumber:message-id:${outboxId}`).digest('hex').slice(0, 12);
	let host = 'localhost';
	try {
		host = new URL(ctx.publicOrigin).hostname || host;
	} catch {
		/* keep localhost */
	}
	return `<outbox-${outboxId}.${tag}@${host}>`;
}

export async function composeMail(ctx: AppContext, row: OutboxRow): Promise<Composed> {
	const base = { messageId: messageIdFor(ctx, row.id), from: ctx.config.MAIL_FROM };
	if (row.topic === 'emergency.notice') {
		// R-O07: plain text in both languages to each emergency contact
		const n = await emergencyMail(ctx, String(row.payload.noticeId ?? ''), Number(row.payload.contactId));
		if (!n || !n.active) return { kind: 'skip', reason: 'contact_gone' };
		if (!isDeliverableAddress(n.email)) return { kind: 'invalid', reason: 'invalid recipient address' };
		const text = `${n.message_ja}${n.message_en ? `\n\n---\n${n.message_en}` : ''}\n\n${n.city}`;
		return {
			kind: 'send',
			message: {
				...base,
				to: n.email,
				subject: `【緊急のお知らせ】${n.city} マイナンバーカード交付窓口`,
				text,
				html: `<!doctype html><html lang="ja"><body><p style="white-space:pre-line">${Handlebars.escapeExpression(text)}</p></body></html>`,
				attachments: []
			}
		};
	}
	if (row.topic === 'bulk.message') {
		// R-S12: the staff's text with this booking's values
		const m = await bulkMailFor(ctx, String(row.payload.bulkMailId ?? ''), String(row.payload.reservationId ?? ''));
		if (!m) return { kind: 'skip', reason: 'reservation_gone' };
		if (!isDeliverableAddress(m.to)) return { kind: 'invalid', reason: 'invalid recipient address' };
		return { kind: 'send', message: { ...base, to: m.to, subject: m.subject, text: m.text, html: m.html, attachments: [] } };
	}
	if (!isMailTopic(row.topic)) return { kind: 'invalid', reason: `unknown topic ${row.topic}` };

	if (row.topic === 'citizen.link') {
		const link = await loadLinkMail(ctx.db, String(row.payload.linkId ?? ''));
		if (!link) return { kind: 'skip', reason: 'link_not_found' };
		if (link.usedAt) return { kind: 'skip', reason: 'link_used' };
		if (link.expiresAt <= ctx.now()) return { kind: 'skip', reason: 'link_expired' };
		if (!isDeliverableAddress(link.email)) return { kind: 'invalid', reason: 'invalid recipient address' };
		const en = link.lang === 'en';
		const view = {
			lang: link.lang,
			city: en ? link.city.cityNameEn : link.city.cityNameJa,
			contact: en ? link.city.contactEn : link.city.contactJa,
			linkUrl: linkUrl(ctx.publicOrigin, linkToken(ctx.jwtSecret, link.id), link.lang),
			linkMinutes: link.city.linkMinutes
		};
		return { kind: 'send', message: { ...base, to: link.email, ...renderMail(row.topic, link.lang, view), attachments: [] } };
	}

	const d = await loadReservationMail(ctx.db, String(row.payload.reservationId ?? ''));
	if (!d) return { kind: 'skip', reason: 'reservation_not_found' };
	if (!d.email) return { kind: 'skip', reason: 'no_email' };
	// R-C11: a reminder only for a visit still ahead and still booked when the job runs.
	if (row.topic === 'reservation.reminder' && (d.status !== 'active' || d.startsAt <= ctx.now())) return { kind: 'skip', reason: 'not_active' };
	if (!isDeliverableAddress(d.email)) return { kind: 'invalid', reason: 'invalid recipient address' };

	const view = reservationView(ctx, d);
	const custom =
		row.topic === 'reservation.no_show'
			? await customText(ctx.db, row.topic, d.lang, {
					cityName: view.city,
					bookingNumber: view.bookingNumber,
					date: formatVisit(d.startsAt, d.endsAt, d.lang).replace(/,?\s*\d{1,2}:\d{2}.*$/, ''),
					time: `${tokyoTime(d.startsAt)}〜${tokyoTime(d.endsAt)}`,
					locationName: view.location.name,
					bookingUrl: view.bookAgainUrl
				})
			: null;
	const rendered = custom ?? renderMail(row.topic, d.lang, view);
	const attachments = WITH_VISIT.has(row.topic)
		? await visitAttachments(ctx, d)
		: row.topic === 'reservation.cancelled'
			? [{ filename: `yoyaku-${d.bookingNumber}-cancel.ics`, content: calendarFile(ctx, d, true), contentType: 'text/calendar; charset=utf-8; method=CANCEL' }]
			: [];
	return { kind: 'send', message: { ...base, to: d.email, ...rendered, attachments } };
}

function reservationView(ctx: AppContext, d: ReservationMailData) {
	const en = d.lang === 'en';
	const origin = ctx.publicOrigin.replace(/\/$/, '');
	return {
		lang: d.lang,
		city: en ? d.city.cityNameEn : d.city.cityNameJa,
		contact: en ? d.city.contactEn : d.city.contactJa,
		bookingNumber: d.bookingNumber,
		when: formatVisit(d.startsAt, d.endsAt, d.lang),
		daysUntil: dayNumber(tokyoDate(d.startsAt)) - dayNumber(tokyoDate(ctx.now())),
		location: {
			name: en ? d.location.nameEn || d.location.nameJa : d.location.nameJa,
			address: en ? d.location.addressEn || d.location.addressJa : d.location.addressJa,
			// R-C16: a missing English text falls back to Japanese, as the address does
			access: en ? d.location.accessEn || d.location.accessJa : d.location.accessJa
		},
		purpose: en ? d.purpose.nameEn : d.purpose.nameJa,
		// Masked (R-C09): a mail may be read by others; the notice ID and birth date are never loaded.
		persons: d.persons.map((p) => (en || !p.nameKana ? maskName(p.nameKanji) : `${maskName(p.nameKanji)}（${maskName(p.nameKana)}）`)),
		precautions: (en ? d.purpose.precautionsEn : d.purpose.precautionsJa)
			.split(/\r?\n/)
			// Staff write precautions as lines, often with their own bullet: the templates add one.
			.map((l) => l.trim().replace(/^[・•\-*]\s*/, ''))
			.filter(Boolean),
		qrCid: QR_CID,
		manageUrl: manageUrl(origin, manageToken(ctx.jwtSecret, d.publicRef, d.tokenVersion)),
		bookAgainUrl: `${origin}/${en ? '?lang=en' : ''}`
	};
}

/** The QR code (inline for the HTML, and as a file) and the calendar entry. */
async function visitAttachments(ctx: AppContext, d: ReservationMailData): Promise<MailAttachment[]> {
	// The QR carries the random check-in code only (R-S15): no name, no number a stranger could use.
	const qr = await QRCode.toBuffer(d.checkinCode, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
	const fileBase = `yoyaku-${d.bookingNumber}`;
	return [
		{ filename: `${fileBase}-qr.png`, content: qr, contentType: 'image/png', cid: QR_CID },
		{ filename: `${fileBase}-qr.png`, content: qr, contentType: 'image/png' },
		{ filename: `${fileBase}.ics`, content: calendarFile(ctx, d), contentType: 'text/calendar; charset=utf-8; method=PUBLISH' }
	];
}

/**
 * The booking's calendar entry, built by the same function as the manage page's download (one
 * UID per booking, SEQUENCE growing with each change, no manage link); `cancel` gives the
 * METHOD:CANCEL entry that removes it from the citizen's calendar (R-C10).
 */
export function calendarFile(ctx: Pick<AppContext, 'publicOrigin'>, d: ReservationMailData, cancel = false): string {
	return reservationIcs(
		{ reservationNumber: d.bookingNumber, status: d.status, startsAt: d.startsAt, endsAt: d.endsAt, location: d.location, purpose: d.purpose, createdAt: d.createdAt, updatedAt: d.updatedAt },
		ctx.publicOrigin,
		d.lang,
		{ cancel }
	);
}
