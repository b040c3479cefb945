/**
 * The demo and test mail sink: a real SMTP server (smtp-server, no auth, no TLS, 127.0.0.1) that
 * keeps the newest 1,000 messages in memory, parsed by mailparser, and a small web view where a
 * person reads them (Japanese). Started by server/boot.ts when SMTP_URL is unset, by tests on
 * port 0, or alone: `node server/dev/mail-sink.ts` prints its URLs.
 *
 *   GET  /                                   the mails, newest first
 *   GET  /messages/{id}/html                 one mail's HTML, sandboxed by CSP (shown in an iframe)
 *   GET  /api/messages                       JSON
 *   GET  /api/messages/{id}/attachments/{i}  raw bytes
 *   DELETE /api/messages                     empties the box
 *
 * It holds personal data of the demo (addresses, links): it listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';

export interface SinkAttachment {
	index: number;
	filename: string | null;
	contentType: string;
	size: number;
	cid: string | null;
	inline: boolean;
	content: Buffer;
}

export interface SinkMessage {
	id: number;
	receivedAt: string;
	envelope: { from: string | null; to: string[] };
	from: string;
	to: string[];
	subject: string;
	date: string | null;
	messageId: string | null;
	text: string;
	html: string | null;
	headers: Record<string, string>;
	attachments: SinkAttachment[];
}

export interface MailSink {
	smtpUrl: string;
	viewUrl: string;
	smtpPort: number;
	httpPort: number;
	messages(): readonly SinkMessage[];
	clear(): void;
	close(): Promise<void>;
}

const KEEP = 1000;

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
	(Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? '').filter(Boolean));

export async function startMailSink(opts: { smtpPort?: number; httpPort?: number; host?: string } = {}): Promise<MailSink> {
	const host = opts.host ?? '127.0.0.1';
	const box: SinkMessage[] = [];
	let nextId = 1;

	const smtp = new SMTPServer({
		authOptional: true,
		disabledCommands: ['AUTH', 'STARTTLS'],
		secure: false,
		logger: false,
		banner: 'mynumber demo mail sink',
		size: 20 * 1024 * 1024,
		onData(stream, session, callback) {
			simpleParser(stream, { keepCidLinks: true })
				.then((m) => {
					const headers: Record<string, string> = {};
					for (const h of m.headerLines) {
						const value = h.line.slice(h.line.indexOf(':') + 1).trim();
						headers[h.key] = headers[h.key] ? `${headers[h.key]}, ${value}` : value;
					}
					box.unshift({
						id: nextId++,
						receivedAt: new Date().toISOString(),
						envelope: {
							from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
							to: session.envelope.rcptTo.map((r) => r.address)
						},
						from: m.from?.text ?? '',
						to: addresses(m.to),
						subject: m.subject ?? '',
						date: m.date ? m.date.toISOString() : null,
						messageId: m.messageId ?? null,
						text: m.text ?? '',
						html: typeof m.html === 'string' ? m.html : null,
						headers,
						attachments: m.attachments.map((a, index) => ({
							index,
							filename: a.filename ?? null,
							contentType: a.contentType,
							size: a.size,
							cid: a.cid ?? null,
							inline: a.contentDisposition === 'inline' || !!a.related,
							content: a.content
						}))
					});
					box.length = Math.min(box.length, KEEP);
					callback();
				})
				.catch((e: Error) => callback(e));
		}
	});
	smtp.on('error', () => {
		/* a client hanging up mid-session is not the sink's problem */
	});
	await new Promise<void>((resolve, reject) => {
		smtp.server.once('error', reject);
		smtp.listen(opts.smtpPort ?? 0, host, () => resolve());
	});
	const smtpPort = (smtp.server.address() as AddressInfo).port;

	const http = createServer((req, res) => {
		try {
			route(req, res, box);
		} catch {
			send(res, 500, 'text/plain; charset=utf-8', 'エラーが発生しました');
		}
	});
	try {
		await listen(http, opts.httpPort ?? 0, host);
	} catch (e) {
		await new Promise<void>((r) => smtp.close(() => r()));
		throw e;
	}
	const httpPort = (http.address() as AddressInfo).port;
	const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host;

	return {
		smtpUrl: `smtp://${host}:${smtpPort}`,
		viewUrl: `http://${shown}:${httpPort}`,
		smtpPort,
		httpPort,
		messages: () => box,
		clear: () => void (box.length = 0),
		async close() {
			http.closeAllConnections();
			await Promise.all([new Promise<void>((r) => smtp.close(() => r())), new Promise<void>((r) => http.close(() => r()))]);
		}
	};
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) {
	res.writeHead(status, {
		'content-type': type,
		'x-content-type-options': 'nosniff',
		'cache-control': 'no-store',
		'referrer-policy': 'no-referrer',
		...headers
	});
	res.end(body);
}

function route(req: IncomingMessage, res: ServerResponse, box: SinkMessage[]) {
	const url = new URL(req.url ?? '/', 'http://sink');
	const path = url.pathname;
	const find = (id: string) => box.find((m) => m.id === Number(id));
	let m: RegExpMatchArray | null;

	if (req.method === 'DELETE' && path === '/api/messages') {
		box.length = 0;
		return send(res, 204, 'text/plain', '');
	}
	if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed', { allow: 'GET, DELETE' });

	if (path === '/api/messages') {
		const list = box.map(({ attachments, ...rest }) => ({
			...rest,
			attachments: attachments.map(({ content: _content, ...a }) => a)
		}));
		return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(list));
	}
	if ((m = path.match(/^\/api\/messages\/(\d+)\/attachments\/(\d+)$/))) {
		const a = find(m[1])?.attachments[Number(m[2])];
		if (!a) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
		const name = a.filename ?? `attachment-${a.index}`;
		return send(res, 200, a.contentType, a.content, {
			'content-disposition': `${url.searchParams.has('download') ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(name)}`,
			'content-security-policy': "default-src 'none'; sandbox"
		});
	}
	if ((m = path.match(/^\/messages\/(\d+)\/html$/))) {
		const msg = find(m[1]);
		if (!msg?.html) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
		// The mail's own HTML, with cid: images from its attachments, under a CSP that allows no
		// script, no network and no form: a mail can show itself and nothing else.
		let html = msg.html;
		for (const a of msg.attachments) {
			if (a.cid) html = html.split(`cid:${a.cid}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
		}
		return send(res, 200, 'text/html; charset=utf-8', html, {
			'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
			'x-frame-options': 'SAMEORIGIN'
		});
	}
	if (path === '/') return send(res, 200, 'text/html; charset=utf-8', page(box), { 'content-security-policy': PAGE_CSP, 'x-frame-options': 'DENY' });
	return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
}

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; form-action 'none'; frame-ancestors 'none'";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const tokyo = (iso: string) => new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'medium' });

const kib = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

/** Plain text with its URLs as links (the sign-in and manage links are what a person clicks in the demo). */
function linkify(text: string): string {
	return esc(text).replace(/https?:\/\/[^\s<>"']+/g, (u) => `<a href="${u}">${u}</a>`);
}

function mailCard(msg: SinkMessage, open: boolean): string {
	const atts = msg.attachments
		.map((a) => {
			const href = `/api/messages/${msg.id}/attachments/${a.index}`;
			const label = `${esc(a.filename ?? `添付${a.index + 1}`)}（${esc(a.contentType)}、${kib(a.size)}${a.cid ? '、本文に表示' : ''}）`;
			const img = a.contentType.startsWith('image/') ? `<img src="${href}" alt="${esc(a.filename ?? '画像')}" width="120" height="120">` : '';
			return `<li>${img}<a href="${href}?download" download>${label}</a></li>`;
		})
		.join('');
	return `<article>
<details${open ? ' open' : ''}>
<summary><span class="subject">${esc(msg.subject || '（件名なし）')}</span><span class="meta">${esc(msg.to.join(', '))} ・ ${tokyo(msg.receivedAt)}</span></summary>
<dl>
<dt>差出人</dt><dd>${esc(msg.from)}</dd>
<dt>宛先</dt><dd>${esc(msg.to.join(', '))}</dd>
<dt>受信日時</dt><dd>${tokyo(msg.receivedAt)}</dd>
<dt>Message-ID</dt><dd class="mono">${esc(msg.messageId ?? '')}</dd>
</dl>
${msg.html ? `<h3>HTML 表示</h3><iframe sandbox src="/messages/${msg.id}/html" title="メール本文（HTML）: ${esc(msg.subject)}" loading="lazy"></iframe>` : ''}
<details class="text"${msg.html ? '' : ' open'}><summary>テキスト版</summary><pre>${linkify(msg.text)}</pre></details>
${atts ? `<h3>添付ファイル</h3><ul class="atts">${atts}</ul>` : ''}
</details>
</article>`;
}

function page(box: SinkMessage[]): string {
	const body = box.length ? box.map((m, i) => mailCard(m, i === 0)).join('\n') : '<p class="empty">まだメールはありません。予約やログインリンクの申込みをすると、ここに届きます。</p>';
	return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>デモ用メールボックス（${box.length}件）</title>
<style>
body{font-family:system-ui,"Noto Sans JP","Hiragino Sans",sans-serif;margin:0;background:#f3f5f8;color:#1b2430;line-height:1.6}
header{background:#0b4f8a;color:#fff;padding:.75rem 1rem}
header h1{font-size:1.2rem;margin:0}
header p{margin:.25rem 0 0;font-size:.9rem}
header a{color:#fff}
main{max-width:980px;margin:0 auto;padding:1rem}
article{background:#fff;border:1px solid #d5dbe2;border-radius:8px;margin:0 0 .75rem}
article>details>summary{cursor:pointer;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem;min-height:44px;align-items:center}
.subject{font-weight:700;overflow-wrap:anywhere}
.meta{color:#4a5663;font-size:.85rem;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:0 1rem .75rem;font-size:.9rem}
dt{color:#4a5663}dd{margin:0;overflow-wrap:anywhere}
.mono{font-family:ui-monospace,monospace;font-size:.8rem}
h3{font-size:.95rem;margin:.75rem 1rem .25rem}
iframe{display:block;width:calc(100% - 2rem);margin:0 1rem;height:640px;border:1px solid #d5dbe2;border-radius:6px;background:#fff}
details.text{margin:.75rem 1rem}
details.text summary{cursor:pointer;min-height:44px;display:flex;align-items:center}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f8fa;border:1px solid #e3e7ec;padding:.75rem;border-radius:6px;font-size:.9rem}
.atts{list-style:none;padding:0;margin:0 1rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem}
.atts li{display:flex;flex-direction:column;gap:.25rem;font-size:.85rem;max-width:100%}
.atts img{border:1px solid #d5dbe2;background:#fff;image-rendering:pixelated}
.atts a{min-height:44px;display:inline-flex;align-items:center;overflow-wrap:anywhere}
.empty{background:#fff;padding:1rem;border-radius:8px;border:1px solid #d5dbe2}
</style></head>
<body><header><h1>デモ用メールボックス</h1>
<p>このアプリが送ったメールを、送信先に関係なくここで受け取っています（新しい順、最大${KEEP}件、再起動で消えます）。<a href="/">再読み込み</a></p></header>
<main>${body}</main></body></html>`;
}

if (import.meta.main) {
	const sink = await startMailSink({
		smtpPort: Number(process.env.SMTP_PORT ?? 1025),
		httpPort: Number(process.env.MAIL_VIEW_PORT ?? 1080)
	});
	console.log(`mail sink: SMTP ${sink.smtpUrl}  web view ${sink.viewUrl}`);
	const stop = () => void sink.close().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
