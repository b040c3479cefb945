import { describe, expect, it } from 'vitest';
import { testContext } from '../harness/context.ts';
import { mailBooking } from '../harness/mail.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { bulkProgress, previewBulk, sendBulk } from '../../src/lib/server/mail/bulk.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { mailTestSetup } from '../harness/mail-setup.ts';

const env = mailTestSetup('bulkmail');

const as = (role: Principal['role']): Principal => ({ userId: 1, login: role, displayName: role, role, locationId: null, sessionId: 's' });

describe('R-S12 bulk mail', () => {
	it('R-S12 the bookings of a day that must close: preview one rendered mail and the count, send through the outbox, every recipient recorded with its result', async () => {
		const { ctx } = testContext(env.t.db);
		const a = await mailBooking(env.t.db, { date: '2026-12-03', hhmm: '10:30' });
		const b = await mailBooking(env.t.db, { date: '2026-12-03', hhmm: '11:00' });
		await mailBooking(env.t.db, { date: '2026-12-04' }); // another day: not chosen
		await mailBooking(env.t.db, { date: '2026-12-03', email: null }); // no email: not counted
		const draft = {
			subject: '【{{cityName}}】{{date}}の窓口休止のお知らせ（{{bookingNumber}}）',
			body: '{{name}} 様\n{{date}} {{time}}（{{locationName}}）のご予約は、窓口休止のため変更をお願いします。\n{{manageUrl}}',
			criteria: { locationId: null, from: '2026-12-03', to: '2026-12-03' }
		};
		const p = await previewBulk(ctx, as('supervisor'), draft);
		expect(p.count).toBe(2);
		expect(p.sample?.subject).toContain('窓口休止のお知らせ');
		// R-S12 R-O05: the preview is rendered with sample values, never a real citizen's name, number, link or address
		expect(p.sample?.text).toContain('見本 ＊＊ 様');
		expect(p.sample?.text).toContain('/manage/（見本のリンク）');
		expect(p.sample?.subject).toContain('0000-0000');
		expect(`${p.sample?.subject}${p.sample?.text}${p.sample?.to}`).not.toMatch(/山田|太郎|花子|@/);
		expect(`${p.sample?.subject}${p.sample?.text}`).not.toContain(a.bookingNumber);
		expect(p.sample?.text).toContain('12月3日');

		const sent = await sendBulk(ctx, as('supervisor'), draft);
		expect(sent.recipients).toBe(2);
		expect((await bulkProgress(ctx, as('supervisor')))[0]).toMatchObject({ recipients: 2, waiting: 2, sent: 0, failed: 0 });
		// the test clock stands still: let the mail job run a minute later
		const report = await deliverDue(testContext(env.t.db, { now: new Date(Date.now() + 60_000) }).ctx, env.transport, { limit: 50 });
		expect(report, JSON.stringify(report)).toMatchObject({ sent: 2 });
		const mails = env.sink.messages().filter((m) => m.subject.includes('窓口休止'));
		expect(mails.map((m) => m.to[0]).sort()).toEqual([a.email, b.email].sort());
		expect(mails.find((m) => m.to[0] === a.email)?.subject).toContain(a.bookingNumber);
		expect((await bulkProgress(ctx, as('supervisor')))[0]).toMatchObject({ recipients: 2, waiting: 0, sent: 2, failed: 0 });
		const [audits] = (await env.t.db.sequelize.query(`SELECT detail FROM audit_log WHERE action = 'mail.bulk_sent'`)) as [{ detail: { recipients: number } }[], unknown];
		expect(audits[0].detail.recipients).toBe(2);
	});

	it('R-S12 R-O04 only supervisors and admins; unknown placeholders, broken templates and header injection in the subject are refused, nothing written', async () => {
		const { ctx } = testContext(env.t.db);
		const ok = { subject: 'お知らせ', body: '本文', criteria: { locationId: null, from: '2026-12-03', to: '2026-12-03' } };
		for (const role of ['viewer', 'clerk'] as const) await expect(sendBulk(ctx, as(role), ok)).rejects.toMatchObject({ status: 403 });
		await expect(previewBulk(ctx, null, ok)).rejects.toMatchObject({ status: 401 });
		const [[before]] = (await env.t.db.sequelize.query(`SELECT count(*)::int AS n FROM outbox`)) as [{ n: number }[], unknown];
		for (const bad of [
			{ ...ok, body: '{{noticeId}}' },
			{ ...ok, body: '{{#each x}}' },
			{ ...ok, body: '{{log name}}' },
			{ ...ok, body: '{{lookup . "name"}}' },
			{ ...ok, body: '{{> partial}}' },
			{ ...ok, body: '{{#if name}}x{{/if}}' },
			{ ...ok, body: '{{name.constructor}}' },
			{ ...ok, body: '{{../name}}' },
			{ ...ok, body: '{{@root}}' },
			{ ...ok, body: '{{{name}}}' },
			{ ...ok, subject: '{{log}}' },
			{ ...ok, subject: 'a\r\nBcc: evil@example.jp' },
			{ ...ok, subject: '' },
			{ ...ok, criteria: { locationId: null, from: '2026-12-05', to: '2026-12-01' } }
		]) {
			await expect(sendBulk(ctx, as('admin'), bad)).rejects.toMatchObject({ status: 400 });
		}
		const [[after]] = (await env.t.db.sequelize.query(`SELECT count(*)::int AS n FROM outbox`)) as [{ n: number }[], unknown];
		expect(after.n).toBe(before.n);
	});

	it('R-S12 R-O04 the error names the bad placeholder as written, and the documented ones all pass', async () => {
		const { ctx } = testContext(env.t.db);
		const ok = { subject: 'お知らせ', body: '本文', criteria: { locationId: null, from: '2026-12-03', to: '2026-12-03' } };
		const e = await previewBulk(ctx, as('supervisor'), { ...ok, body: '{{name}} 様\n{{log name}} と {{lookup . "x"}}' }).catch((x) => x);
		expect(e).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'body' })] });
		expect(e.errors[0].message).toContain('{{log name}}');
		expect(e.errors[0].message).toContain('{{lookup . "x"}}');
		expect(e.errors[0].message).not.toContain('{{name}}、{{log');
		const all = ['name', 'bookingNumber', 'date', 'time', 'locationName', 'manageUrl', 'cityName'].map((p) => `{{${p}}} {{ ${p} }}`).join('\n');
		await expect(previewBulk(ctx, as('supervisor'), { ...ok, body: all })).resolves.toMatchObject({ count: expect.any(Number) });
	});
});
