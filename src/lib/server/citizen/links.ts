/**
 * R-C02: the first step. The answer is the same whatever the address (never a hint of whether it
 * was used before); the mail goes through the outbox, written in the same transaction as the link.
 * Per mailbox (+tags and dots of the local part counted as one) a few links an hour (quietly not sent beyond that, with the same answer), per
 * client address a limit that answers 429.
 */
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { consume, limitKey, tooMany } from '../security/limits.ts';
import { mailboxKey } from '../../domain/mail-format.ts';

export const LINK_LIMITS = {
	perEmail: { points: 5, seconds: 3600 },
	perIp: { points: 30, seconds: 3600 }
} as const;

export async function requestLink(ctx: AppContext, input: { email: string; lang: 'ja' | 'en'; ip?: string | null }): Promise<void> {
	const now = ctx.now();
	const ipWait = await consume(ctx, 'link-ip', LINK_LIMITS.perIp, limitKey(input.ip ?? 'unknown'));
	if (ipWait !== null) {
		throw tooMany(ipWait, { ja: 'メールの送信依頼が多すぎます。', en: 'Too many requests for a link.' }, now);
	}
	const email = input.email.trim();
	// Over the per-mailbox limit the answer stays the same, so it reveals nothing; no mail goes.
	// Counted per mailbox (R-O04): victim+1@, victim+2@ and v.i.c.t.i.m@ all reach one inbox.
	if ((await consume(ctx, 'link-email', LINK_LIMITS.perEmail, limitKey(mailboxKey(email)))) !== null) return;
	const id = randomUUID();
	// The link and its mail in one statement (one transaction, one round trip); the link's life is the city's setting.
	await ctx.db.sequelize.query(
		`WITH l AS (INSERT INTO citizen_links (id, email, lang, expires_at)
		            VALUES (:id, :email, :lang, CAST(:now AS timestamptz) + make_interval(mins => coalesce((SELECT link_minutes FROM city_settings WHERE id = 1), 30))))
		 INSERT INTO outbox (topic, payload) VALUES ('citizen.link', CAST(:payload AS jsonb))`,
		{ replacements: { id, email, lang: input.lang, now: now.toISOString(), payload: JSON.stringify({ linkId: id }) } }
	);
	ctx.kickOutbox();
}
