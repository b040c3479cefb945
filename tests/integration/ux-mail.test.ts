/** Mails and calendar files as a citizen reads them (R-C02, R-C09, R-C10, R-C16): each test failed before its fix. */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { testContext } from '../harness/context.ts';
import { enqueueMail, mailsOf } from '../harness/mail.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { verifyLinkToken } from '../../src/lib/server/citizen/tokens.ts';
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
