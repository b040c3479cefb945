/**
 * R-S12 一斉メール: staff compose a subject and body with placeholders, choose the bookings by a
 * search (e.g. every booking on a day that must close), see one mail rendered and the count, and
 * send through the outbox — one transaction writes the message, a row per recipient and its
 * outbox row, so progress and each result can be read back. Only bookings with an email count.
 */
import Handlebars from 'handlebars';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { formatVisit, maskName } from '../../domain/mail-format.ts';
import { tokyoTime } from '../../domain/schedule/time.ts';
import { manageToken, manageUrl } from '../citizen/tokens.ts';
import { loadReservationMail, type ReservationMailData } from './data.ts';
import { listingOrderSql } from '../scheduling/locations.ts';

export interface BulkCriteria {
	locationId: number | null;
	from: string;
	to: string;
}

export interface BulkDraft {
	subject: string;
	body: string;
	criteria: BulkCriteria;
}

export const PLACEHOLDERS = ['name', 'bookingNumber', 'date', 'time', 'locationName', 'manageUrl', 'cityName'] as const;

const hb = Handlebars.create();

type HbNode = { type: string; loc?: { start: { line: number; column: number } } };
type HbMustache = HbNode & { path: HbNode & { original?: string; parts?: string[]; depth?: number; data?: boolean }; params: unknown[]; hash?: unknown; escaped: boolean };

/**
 * R-S12 R-O04: a template may hold only the documented placeholders, each as `{{name}}`. Handlebars
 * itself knows more — built-in helpers (`{{log …}}`, `{{lookup …}}`), blocks (`{{#each}}`),
 * partials (`{{> x}}`), paths (`{{name.constructor}}`, `{{../x}}`, `{{@root}}`), comments, raw
 * output (`{{{x}}}`) — and each is refused, with the piece written as it was. The parsed template
 * is walked, not matched by a pattern, so no spelling slips past.
 */
export function templateProblems(src: string): string[] {
	let ast: { body: HbNode[] };
	try {
		ast = Handlebars.parse(src) as unknown as { body: HbNode[] };
	} catch {
		return ['差し込み項目の書き方が正しくありません（{{name}} のように書きます）。'];
	}
	const bad: string[] = [];
	const lines = src.split('\n');
	const shown = (n: HbNode) => {
		const at = n.loc?.start;
		const rest = at ? (lines[at.line - 1] ?? '').slice(at.column) : '';
		return (/^\{\{[^}]*\}{2,3}/.exec(rest)?.[0] ?? rest.slice(0, 30)).trim() || n.type;
	};
	for (const n of ast.body) {
		if (n.type === 'ContentStatement') continue;
		if (n.type === 'MustacheStatement') {
			const m = n as HbMustache;
			const name = m.path.type === 'PathExpression' && !m.path.data && m.path.depth === 0 && m.path.parts?.length === 1 && m.path.original === m.path.parts[0] ? m.path.original : null;
			if (name && (PLACEHOLDERS as readonly string[]).includes(name) && m.params.length === 0 && !m.hash && m.escaped) continue;
		}
		bad.push(shown(n));
	}
	return bad.length ? [`使えない差し込み項目です：${[...new Set(bad)].join('、')}（使えるのは ${PLACEHOLDERS.map((p) => `{{${p}}}`).join('、')} だけです）`] : [];
}

function check(d: BulkDraft): void {
	const errors = [];
	if (!d.subject.trim() || d.subject.length > 200 || /[\r\n]/.test(d.subject)) errors.push({ field: 'subject', message: '件名を1行・200文字以内で入力してください。' });
	if (!d.body.trim() || d.body.length > 5000) errors.push({ field: 'body', message: '本文を5000文字以内で入力してください。' });
	if (!/^\d{4}-\d{2}-\d{2}$/.test(d.criteria.from) || !/^\d{4}-\d{2}-\d{2}$/.test(d.criteria.to) || d.criteria.to < d.criteria.from) {
		errors.push({ field: 'from', message: '対象の期間を正しく入力してください。' });
	}
	for (const [field, src] of [['subject', d.subject], ['body', d.body]] as const) {
		for (const message of templateProblems(src)) errors.push({ field, message });
	}
	if (errors.length) throw new AppError('bad_request', errors.length === 1 ? errors[0].message : '入力内容を確認してください。', { errors });
}

/** The ids of the active bookings with an email that the criteria choose. */
async function recipients(ctx: AppContext, c: BulkCriteria): Promise<string[]> {
	const rows = await ctx.db.sequelize.query<{ id: string }>(
		`SELECT id FROM reservations WHERE status = 'active' AND email IS NOT NULL AND date BETWEEN :from AND :to
		   AND (CAST(:loc AS integer) IS NULL OR location_id = :loc) ORDER BY date, starts_at, id LIMIT 20000`,
		{ replacements: { from: c.from, to: c.to, loc: c.locationId }, type: QueryTypes.SELECT }
	);
	return rows.map((r) => String(r.id));
}

/** The placeholder values of one booking (names masked as in every other mail). */
export function bulkVars(ctx: AppContext, d: ReservationMailData): Record<(typeof PLACEHOLDERS)[number], string> {
	const en = d.lang === 'en';
	return {
		name: d.persons[0] ? maskName(d.persons[0].nameKanji) : '',
		bookingNumber: d.bookingNumber,
		date: formatVisit(d.startsAt, d.endsAt, d.lang).replace(/,?\s*\d{1,2}:\d{2}.*$/, ''),
		time: `${tokyoTime(d.startsAt)}〜${tokyoTime(d.endsAt)}`,
		locationName: en ? d.location.nameEn || d.location.nameJa : d.location.nameJa,
		manageUrl: manageUrl(ctx.publicOrigin, manageToken(ctx.jwtSecret, d.publicRef, d.tokenVersion)),
		cityName: en ? d.city.cityNameEn : d.city.cityNameJa
	};
}

export function renderBulk(subject: string, body: string, vars: Record<string, string>) {
	const opts = { noEscape: true, knownHelpersOnly: true } as const;
	const s = hb.compile(subject, opts)(vars).replace(/[\r\n\t]+/g, ' ').trim();
	const text = hb.compile(body, opts)(vars);
	return { subject: s, text, html: `<!doctype html><html lang="ja"><body><p style="white-space:pre-line">${Handlebars.escapeExpression(text)}</p></body></html>` };
}

/**
 * The preview: the count of the chosen bookings and the mail rendered with made-up sample values
 * (a sample name, number and link; the first day chosen, the location and city as they are), so
 * the screen never shows a real citizen's name, address or manage link.
 */
export async function previewBulk(ctx: AppContext, principal: Principal | null, d: BulkDraft) {
	requireRole(principal, 'supervisor');
	check(d);
	const ids = await recipients(ctx, d.criteria);
	return { count: ids.length, sample: ids.length ? { ...renderBulk(d.subject, d.body, await sampleVars(ctx, d.criteria)), to: '' } : null };
}

export const SAMPLE_NAME = '見本 太郎';
export const SAMPLE_BOOKING_NUMBER = '0000-0000';

async function sampleVars(ctx: AppContext, c: BulkCriteria): Promise<Record<(typeof PLACEHOLDERS)[number], string>> {
	const [row] = await ctx.db.sequelize.query<{ location: string | null; city: string | null }>(
		`SELECT (SELECT name_ja FROM locations WHERE CAST(:loc AS integer) IS NULL OR id = :loc ORDER BY ${listingOrderSql()} LIMIT 1) AS location,
		        (SELECT city_name->>'ja' FROM city_settings WHERE id = 1) AS city`,
		{ replacements: { loc: c.locationId }, type: QueryTypes.SELECT }
	);
	const startsAt = new Date(`${c.from}T10:00:00+09:00`);
	const endsAt = new Date(startsAt.getTime() + 15 * 60_000);
	return {
		name: maskName(SAMPLE_NAME),
		bookingNumber: SAMPLE_BOOKING_NUMBER,
		date: formatVisit(startsAt, endsAt, 'ja').replace(/,?\s*\d{1,2}:\d{2}.*$/, ''),
		time: `${tokyoTime(startsAt)}〜${tokyoTime(endsAt)}`,
		locationName: row?.location ?? '',
		manageUrl: `${ctx.publicOrigin}/manage/（見本のリンク）`,
		cityName: row?.city ?? ''
	};
}

export async function sendBulk(ctx: AppContext, principal: Principal | null, d: BulkDraft, ip?: string | null): Promise<{ id: string; recipients: number }> {
	const p = requireRole(principal, 'supervisor');
	check(d);
	const done = await ctx.db.sequelize.transaction(async (t) => {
		const [rows] = (await ctx.db.sequelize.query(
			`WITH b AS (INSERT INTO bulk_mails (subject, body, criteria, created_by) VALUES (:subject, :body, CAST(:criteria AS jsonb), :by) RETURNING id),
			      r AS (SELECT id FROM reservations WHERE status = 'active' AND email IS NOT NULL AND date BETWEEN :from AND :to
			              AND (CAST(:loc AS integer) IS NULL OR location_id = :loc) LIMIT 20000),
			      o AS (INSERT INTO outbox (topic, payload)
			            SELECT 'bulk.message', jsonb_build_object('bulkMailId', b.id::text, 'reservationId', r.id::text) FROM b, r
			            RETURNING id, (payload->>'reservationId')::bigint AS reservation_id),
			      x AS (INSERT INTO bulk_mail_recipients (bulk_mail_id, reservation_id, outbox_id) SELECT b.id, o.reservation_id, o.id FROM b, o RETURNING 1)
			 SELECT b.id, (SELECT count(*) FROM x)::int AS n FROM b`,
			{
				replacements: { subject: d.subject, body: d.body, criteria: JSON.stringify(d.criteria), by: p.login, from: d.criteria.from, to: d.criteria.to, loc: d.criteria.locationId },
				transaction: t
			}
		)) as [{ id: string; n: number }[], unknown];
		const { id, n } = rows[0];
		await ctx.db.sequelize.query(`UPDATE bulk_mails SET recipients = :n WHERE id = :id`, { replacements: { n, id }, transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'mail.bulk_sent', targetType: 'bulk_mail', targetId: id, detail: { recipients: n, criteria: d.criteria }, ip }, t);
		return { id: String(id), recipients: n };
	});
	ctx.kickOutbox();
	return done;
}

/** Progress and results of the recent bulk mails (sent, waiting, failed per message). */
export async function bulkProgress(ctx: AppContext, principal: Principal | null) {
	requireRole(principal, 'supervisor');
	return ctx.db.sequelize.query<{ id: string; subject: string; recipients: number; sent: number; failed: number; waiting: number; created_by: string; created_at: Date }>(
		`SELECT b.id, b.subject, b.recipients, b.created_by, b.created_at,
		        count(*) FILTER (WHERE o.published_at IS NOT NULL)::int AS sent,
		        count(*) FILTER (WHERE o.failed_at IS NOT NULL)::int AS failed,
		        count(*) FILTER (WHERE o.published_at IS NULL AND o.failed_at IS NULL)::int AS waiting
		   FROM bulk_mails b LEFT JOIN bulk_mail_recipients r ON r.bulk_mail_id = b.id LEFT JOIN outbox o ON o.id = r.outbox_id
		  GROUP BY b.id ORDER BY b.created_at DESC LIMIT 20`,
		{ type: QueryTypes.SELECT }
	);
}

/** What the mail job sends for one recipient: the staff's text with this booking's values. */
export async function bulkMailFor(ctx: AppContext, bulkMailId: string, reservationId: string) {
	const [b] = await ctx.db.sequelize.query<{ subject: string; body: string }>(`SELECT subject, body FROM bulk_mails WHERE id = :id`, {
		replacements: { id: bulkMailId },
		type: QueryTypes.SELECT
	});
	const d = b ? await loadReservationMail(ctx.db, reservationId) : null;
	if (!b || !d || !d.email) return null;
	return { to: d.email, ...renderBulk(b.subject, b.body, bulkVars(ctx, d)) };
}
