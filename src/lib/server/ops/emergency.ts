/**
 * R-O07: an admin composes one message and it goes at once to every emergency contact (a mail
 * each, through the outbox, in the same transaction as the notice), and optionally shows as a
 * banner on every citizen page and wall board, pushed live, until an admin ends it.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { emailAddress } from '../schemas.ts';

export interface Banner {
	id: string;
	messageJa: string;
	messageEn: string;
	at: string;
}

export interface Contact {
	id: number;
	name: string;
	email: string;
	active: boolean;
}

const KEY = Symbol.for('mynumber.emergency-banner');
type Holder = { [KEY]?: { at: number; banner: Banner | null } };

/** The banner in force, kept two seconds per node (read on every citizen page). */
export async function currentBanner(ctx: AppContext, fresh = false): Promise<Banner | null> {
	const h = globalThis as Holder;
	if (!fresh && h[KEY] && Date.now() - h[KEY].at < 2000) return h[KEY].banner;
	const [row] = await ctx.db.sequelize.query<{ id: string; message_ja: string; message_en: string; created_at: Date }>(
		`SELECT id, message_ja, message_en, created_at FROM emergency_notices WHERE banner AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1`,
		{ type: QueryTypes.SELECT }
	);
	const banner = row ? { id: String(row.id), messageJa: row.message_ja, messageEn: row.message_en || row.message_ja, at: new Date(row.created_at).toISOString() } : null;
	h[KEY] = { at: Date.now(), banner };
	return banner;
}

export async function listContacts(ctx: AppContext, principal: Principal | null): Promise<Contact[]> {
	requireRole(principal, 'admin');
	return ctx.db.sequelize.query<Contact>(`SELECT id, name, email, active FROM emergency_contacts ORDER BY name, id`, { type: QueryTypes.SELECT });
}

export async function addContact(ctx: AppContext, principal: Principal | null, input: { name: string; email: string }, ip?: string | null): Promise<void> {
	const p = requireRole(principal, 'admin');
	const name = input.name.trim();
	const parsed = emailAddress.safeParse(input.email);
	const email = parsed.success ? parsed.data : '';
	const errors = [];
	if (!name || name.length > 100) errors.push({ field: 'name', message: '名前を100文字以内で入力してください。' });
	if (!parsed.success) errors.push({ field: 'email', message: `${parsed.error.issues[0].message}。` });
	if (errors.length) throw new AppError('bad_request', '入力内容を確認してください。', { errors });
	await ctx.db.sequelize.transaction(async (t) => {
		const [rows] = (await ctx.db.sequelize.query(
			`INSERT INTO emergency_contacts (name, email) VALUES (:name, :email) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, active = true RETURNING id`,
			{ replacements: { name, email }, transaction: t }
		)) as [{ id: number }[], unknown];
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'emergency.contact_saved', targetType: 'emergency_contact', targetId: rows[0].id, ip }, t);
	});
}

export async function removeContact(ctx: AppContext, principal: Principal | null, id: number, ip?: string | null): Promise<void> {
	const p = requireRole(principal, 'admin');
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`UPDATE emergency_contacts SET active = false WHERE id = :id`, { replacements: { id }, transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'emergency.contact_removed', targetType: 'emergency_contact', targetId: id, ip }, t);
	});
}

export async function sendEmergencyNotice(
	ctx: AppContext,
	principal: Principal | null,
	input: { messageJa: string; messageEn: string; banner: boolean },
	ip?: string | null
): Promise<{ id: string; recipients: number }> {
	const p = requireRole(principal, 'admin');
	const messageJa = input.messageJa.trim();
	const messageEn = input.messageEn.trim();
	if (!messageJa || messageJa.length > 1000) {
		throw new AppError('bad_request', 'お知らせ（日本語）を1000文字以内で入力してください。', { errors: [{ field: 'messageJa', message: '1〜1000文字で入力してください。' }] });
	}
	if (messageEn.length > 1000) throw new AppError('bad_request', 'お知らせ（英語）は1000文字以内です。', { errors: [{ field: 'messageEn', message: '1000文字以内で入力してください。' }] });
	const done = await ctx.db.sequelize.transaction(async (t) => {
		if (input.banner) await ctx.db.sequelize.query(`UPDATE emergency_notices SET ended_at = now() WHERE banner AND ended_at IS NULL`, { transaction: t });
		const [rows] = (await ctx.db.sequelize.query(
			`WITH n AS (INSERT INTO emergency_notices (message_ja, message_en, banner, created_by) VALUES (:ja, :en, :banner, :by) RETURNING id),
			      o AS (INSERT INTO outbox (topic, payload)
			            SELECT 'emergency.notice', jsonb_build_object('noticeId', n.id::text, 'contactId', c.id) FROM n, emergency_contacts c WHERE c.active
			            RETURNING 1)
			 SELECT n.id, (SELECT count(*) FROM o)::int AS recipients FROM n`,
			{ replacements: { ja: messageJa, en: messageEn, banner: input.banner, by: p.login }, transaction: t }
		)) as [{ id: string; recipients: number }[], unknown];
		const { id, recipients } = rows[0];
		await ctx.db.sequelize.query(`UPDATE emergency_notices SET recipients = :n WHERE id = :id`, { replacements: { n: recipients, id }, transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'emergency.sent', targetType: 'emergency_notice', targetId: id, detail: { recipients, banner: input.banner }, ip }, t);
		return { id: String(id), recipients };
	});
	ctx.kickOutbox();
	if (input.banner) ctx.events.noticeChanged?.(await currentBanner(ctx, true));
	return done;
}

export async function endBanner(ctx: AppContext, principal: Principal | null, ip?: string | null): Promise<void> {
	const p = requireRole(principal, 'admin');
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`UPDATE emergency_notices SET ended_at = now() WHERE banner AND ended_at IS NULL`, { transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'emergency.banner_ended', ip }, t);
	});
	ctx.events.noticeChanged?.(await currentBanner(ctx, true));
}

export async function recentNotices(ctx: AppContext, principal: Principal | null) {
	requireRole(principal, 'admin');
	return ctx.db.sequelize.query<{ id: string; message_ja: string; banner: boolean; recipients: number; created_by: string; created_at: Date; ended_at: Date | null }>(
		`SELECT id, message_ja, banner, recipients, created_by, created_at, ended_at FROM emergency_notices ORDER BY created_at DESC LIMIT 20`,
		{ type: QueryTypes.SELECT }
	);
}

/** The mail of one notice to one contact (read by the mail job; the outbox row holds ids only). */
export async function emergencyMail(ctx: AppContext, noticeId: string, contactId: number) {
	const [row] = await ctx.db.sequelize.query<{ message_ja: string; message_en: string; email: string; name: string; active: boolean; city: string }>(
		`SELECT n.message_ja, n.message_en, c.email, c.name, c.active, (SELECT city_name->>'ja' FROM city_settings WHERE id = 1) AS city
		   FROM emergency_notices n, emergency_contacts c WHERE n.id = :n AND c.id = :c`,
		{ replacements: { n: noticeId, c: contactId }, type: QueryTypes.SELECT }
	);
	return row ?? null;
}
