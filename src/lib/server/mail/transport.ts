/**
 * The SMTP transport: SMTP_URL in production, the demo sink's URL otherwise (server/boot.ts).
 * Only nodemailer writes headers: callers pass addresses and text as values, never header lines,
 * so a CR/LF in a name or an address cannot add a header (R-O04).
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export type MailTransport = Transporter;

export interface MailMessage {
	/** derived from the outbox id, so a repeated send (see outbox.ts) carries the same id */
	messageId: string;
	from: string;
	to: string;
	subject: string;
	text: string;
	html: string;
	attachments: MailAttachment[];
}

export interface MailAttachment {
	filename: string;
	content: Buffer | string;
	contentType: string;
	/** set for an image the HTML shows inline (`<img src="cid:…">`) */
	cid?: string;
}

export function createMailTransport(smtpUrl: string): MailTransport {
	return nodemailer.createTransport({
		url: smtpUrl,
		// A few kept-open connections: a burst (bulk mail, reminders) does not pay a handshake per mail.
		pool: true,
		maxConnections: 4,
		maxMessages: 200,
		// Bounded: a send must end well inside the outbox lease (outbox.ts LEASE_MS).
		connectionTimeout: 10_000,
		greetingTimeout: 10_000,
		socketTimeout: 20_000,
		// The demo sink speaks plain SMTP on 127.0.0.1; a real server may offer STARTTLS and it is used.
		ignoreTLS: false
	} as Parameters<typeof nodemailer.createTransport>[0]);
}

/** Sends one message; resolves with the server's answer, rejects with its error. */
export async function sendMail(transport: MailTransport, m: MailMessage): Promise<{ response: string }> {
	const info = await transport.sendMail({
		messageId: m.messageId,
		from: m.from,
		to: m.to,
		subject: m.subject,
		text: m.text,
		html: m.html,
		attachments: m.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, ...(a.cid ? { cid: a.cid } : {}) })),
		// Never take a path, URL or file from data: only buffers built by the renderer.
		disableFileAccess: true,
		disableUrlAccess: true
	});
	return { response: String(info.response ?? '') };
}
