import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../../server/dev/mail-sink.ts';
import { createMailTransport, sendMail, type MailTransport } from '../../src/lib/server/mail/transport.ts';

/** The demo/test sink itself: a real SMTP server and its web view (no database needed). */
let sink: MailSink;
let transport: MailTransport;
let base: string;
beforeAll(async () => {
	sink = await startMailSink();
	transport = createMailTransport(sink.smtpUrl);
	base = `http://127.0.0.1:${sink.httpPort}`;
});
afterAll(async () => {
	transport?.close();
	await sink?.close();
});

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

it('R-C09 the sink keeps what it receives: JSON list, raw attachments, the HTML under a sandboxing CSP with cid images inlined; DELETE empties it', async () => {
	await sendMail(transport, {
		messageId: '<outbox-1.test@localhost>',
		from: 'テスト <noreply@example.jp>',
		to: 'hanako@example.jp',
		subject: '【デモ市】予約を受け付けました（予約番号 1234-5678）',
		text: '本文 http://127.0.0.1:3000/manage/x',
		html: '<p>本文</p><img src="cid:qr@test" alt="QR">',
		attachments: [
			{ filename: 'qr.png', content: png, contentType: 'image/png', cid: 'qr@test' },
			{ filename: 'yoyaku.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar; charset=utf-8' }
		]
	});
	const list = await (await fetch(`${base}/api/messages`)).json();
	expect(list).toHaveLength(1);
	const m = list[0];
	expect(m).toMatchObject({ subject: '【デモ市】予約を受け付けました（予約番号 1234-5678）', to: ['hanako@example.jp'], messageId: '<outbox-1.test@localhost>', envelope: { to: ['hanako@example.jp'] } });
	expect(m.headers['message-id']).toBe('<outbox-1.test@localhost>');
	expect(m.attachments).toEqual([
		expect.objectContaining({ index: 0, filename: 'qr.png', contentType: 'image/png', cid: 'qr@test', size: png.length }),
		expect.objectContaining({ index: 1, filename: 'yoyaku.ics', contentType: 'text/calendar' })
	]);
	const raw = await fetch(`${base}/api/messages/${m.id}/attachments/0`);
	expect(raw.headers.get('content-type')).toBe('image/png');
	expect(Buffer.from(await raw.arrayBuffer()).equals(png)).toBe(true);
	const ics = await fetch(`${base}/api/messages/${m.id}/attachments/1?download`);
	expect(ics.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''yoyaku\.ics/);

	const html = await fetch(`${base}/messages/${m.id}/html`);
	expect(html.headers.get('content-security-policy')).toContain('sandbox');
	expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
	const body = await html.text();
	expect(body).toContain('src="data:image/png;base64,');
	expect(body).not.toContain('cid:');

	const page = await (await fetch(`${base}/`)).text();
	expect(page).toContain('デモ用メールボックス（1件）');
	expect(page).toContain('【デモ市】予約を受け付けました（予約番号 1234-5678）');
	expect(page).toContain('<a href="http://127.0.0.1:3000/manage/x">');
	expect(page).toContain(`<iframe sandbox src="/messages/${m.id}/html"`);

	expect((await fetch(`${base}/api/messages`, { method: 'DELETE' })).status).toBe(204);
	expect(await (await fetch(`${base}/api/messages`)).json()).toEqual([]);
	expect((await fetch(`${base}/api/messages/${m.id}/attachments/0`)).status).toBe(404);
});

it('R-O04 markup in a mail (subject, text, file name) is shown as text in the web view, never run', async () => {
	await sendMail(transport, {
		messageId: '<outbox-2.test@localhost>',
		from: 'noreply@example.jp',
		to: 'hanako@example.jp',
		subject: '<script>alert(1)</script>',
		text: '<img src=x onerror=alert(2)> "quoted" http://x/"><script>alert(3)</script>',
		html: '<script>alert(4)</script><p>hi</p>',
		attachments: [{ filename: '"><svg onload=alert(5)>.png', content: png, contentType: 'image/png' }]
	});
	const res = await fetch(`${base}/`);
	expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
	const page = await res.text();
	expect(page).not.toMatch(/<script>alert|<img src=x|<svg onload/);
	expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
	expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;');
	// The mail's own HTML is served only under CSP sandbox with scripts off.
	const [m] = await (await fetch(`${base}/api/messages`)).json();
	const html = await fetch(`${base}/messages/${m.id}/html`);
	expect(html.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'; img-src data:;/);
});

it('R-C09 a taken web-view port is reported as EADDRINUSE so boot can take a free one instead', async () => {
	const err = await startMailSink({ httpPort: sink.httpPort }).then(
		() => null,
		(e: NodeJS.ErrnoException) => e
	);
	expect(err?.code).toBe('EADDRINUSE');
	const other = await startMailSink({ httpPort: 0 });
	expect(other.httpPort).not.toBe(sink.httpPort);
	await other.close();
});
