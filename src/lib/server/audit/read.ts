/**
 * The 操作ログ viewer and its CSV export (R-O03), admins only. Reading the log is itself logged
 * ('audit.viewed', 'audit.exported') with the filters used, never with the rows read.
 */
import { QueryTypes } from 'sequelize';
import { stringify } from 'csv-stringify/sync';
import { safeCell } from '../files/cells.ts';
import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { audit } from './write.ts';
import { sealNow } from './seal.ts';
import { bounds, type AuditQuery } from './schemas.ts';
import { actionLabel, actorLabel } from '../../domain/audit-actions.ts';
import { tokyoIso } from '../../domain/dates.ts';

export interface AuditEntryView {
	id: string;
	seq: string;
	/** ISO 8601 in Tokyo time, +09:00 */
	at: string;
	actorType: string;
	actorId: string | null;
	actor: string;
	action: string;
	actionLabel: string;
	targetType: string | null;
	targetId: string | null;
	detail: Record<string, unknown>;
	ip: string | null;
}

interface Row {
	id: string;
	seq: string;
	at: Date;
	actor_type: string;
	actor_id: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	detail: Record<string, unknown>;
	ip: string | null;
}

export const DEFAULT_LIMIT = 100;
export const MAX_JSON_LIMIT = 1000;


/** 2026/11/25 10:05:03 — what Excel reads as a date and time. */
export function tokyoDisplay(d: Date): string {
	return tokyoIso(d).slice(0, 19).replace('T', ' ').replaceAll('-', '/');
}

/** WHERE clause and replacements for the filters; every value is bound, never spliced. */
function where(q: AuditQuery): { sql: string; replacements: Record<string, unknown> } {
	const parts: string[] = [];
	const replacements: Record<string, unknown> = {};
	if (q.user) {
		parts.push('actor_id = :user');
		replacements.user = q.user;
	}
	if (q.action) {
		parts.push(`(action = :action OR action LIKE :actionPrefix ESCAPE '\\')`);
		replacements.action = q.action;
		replacements.actionPrefix = `${q.action.replaceAll('_', '\\_')}.%`;
	}
	if (q.target) {
		const i = q.target.indexOf(':');
		if (i > 0) {
			parts.push('target_type = :targetType AND target_id = :targetId');
			replacements.targetType = q.target.slice(0, i);
			replacements.targetId = q.target.slice(i + 1);
		} else {
			parts.push('(target_type = :target OR target_id = :target)');
			replacements.target = q.target;
		}
	}
	const b = bounds(q);
	if (b.from) {
		parts.push('at >= :from');
		replacements.from = b.from.toISOString();
	}
	if (b.toExclusive) {
		parts.push('at < :toExclusive');
		replacements.toExclusive = b.toExclusive.toISOString();
	}
	return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', replacements };
}

const toView = (r: Row): AuditEntryView => ({
	id: String(r.id),
	seq: String(r.seq),
	at: tokyoIso(new Date(r.at)),
	actorType: r.actor_type,
	actorId: r.actor_id,
	actor: actorLabel(r.actor_type, r.actor_id),
	action: r.action,
	actionLabel: actionLabel(r.action),
	targetType: r.target_type,
	targetId: r.target_id,
	detail: r.detail ?? {},
	ip: r.ip
});

/** The filters as logged: only what was asked, no personal data (logins are staff ids). */
const asked = (q: AuditQuery) => Object.fromEntries(Object.entries({ user: q.user, action: q.action, target: q.target, from: q.from, to: q.to }).filter(([, v]) => v !== undefined));

/** Newest first, one page: rows the sealer has not chained yet (issue 17) are the newest, first by id. */
export async function listAudit(ctx: AppContext, principal: Principal | null, q: AuditQuery, ip?: string | null) {
	const admin = requireRole(principal, 'admin');
	const limit = Math.min(q.limit ?? DEFAULT_LIMIT, MAX_JSON_LIMIT);
	const w = where(q);
	const [rows, [{ total }]] = await Promise.all([
		ctx.db.sequelize.query<Row>(`SELECT id, seq, at, actor_type, actor_id, action, target_type, target_id, detail, ip FROM audit_log ${w.sql} ORDER BY seq DESC NULLS FIRST, id DESC LIMIT :limit OFFSET :offset`, {
			replacements: { ...w.replacements, limit, offset: q.offset },
			type: QueryTypes.SELECT
		}),
		ctx.db.sequelize.query<{ total: string }>(`SELECT count(*)::text AS total FROM audit_log ${w.sql}`, { replacements: w.replacements, type: QueryTypes.SELECT })
	]);
	await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'audit.viewed', targetType: 'audit_log', detail: { filters: asked(q), limit, offset: q.offset }, ip });
	return { total: Number(total), limit, offset: q.offset, entries: rows.map(toView) };
}

export const CSV_HEADERS = ['日時', '利用者', '操作', '対象種別', '対象ID', '詳細', 'IPアドレス'];
const BOM = '\uFEFF';
const PAGE = 1000;

/** Excel runs a cell that starts with = + - @ as a formula (CSV injection): such cells get a leading apostrophe. */
export const cell = safeCell;

const csvLine = (r: Row): string[] => {
	const v = toView(r);
	return [tokyoDisplay(new Date(r.at)), v.actor, `${v.actionLabel}（${v.action}）`, v.targetType ?? '', v.targetId ?? '', JSON.stringify(v.detail), v.ip ?? ''].map(cell);
};

/**
 * CSV export, oldest first (in chain order): UTF-8 with BOM so Excel opens it as Unicode, times in Tokyo. Rows are
 * read in keyset pages and streamed one page per pull, so a long log never sits in memory. The
 * export is logged before the first byte goes out.
 */
export async function exportAuditCsv(ctx: AppContext, principal: Principal | null, q: AuditQuery, ip?: string | null): Promise<ReadableStream<Uint8Array>> {
	const admin = requireRole(principal, 'admin');
	const filters = { filters: asked(q), format: 'csv', ...(q.limit ? { limit: q.limit } : {}), ...(q.offset ? { offset: q.offset } : {}) };
	await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'audit.exported', targetType: 'audit_log', detail: filters, ip });
	// the export pages by chain position: every row committed before now is chained first (issue 17)
	await sealNow(ctx.db);
	const w = where(q);
	const keyset = `${w.sql ? `${w.sql} AND` : 'WHERE'} seq > :after`;
	const encoder = new TextEncoder();
	let left = q.limit ?? Number.MAX_SAFE_INTEGER;
	let after = '0';
	let first = true;
	// The offset is applied once, by the first page's query; later pages continue after the last seq read.
	let offset = q.offset;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			const want = Math.min(PAGE, left);
			const rows = want > 0
				? await ctx.db.sequelize.query<Row>(
						`SELECT id, seq, at, actor_type, actor_id, action, target_type, target_id, detail, ip FROM audit_log ${keyset} ORDER BY seq LIMIT :want OFFSET :offset`,
						{ replacements: { ...w.replacements, after, want, offset }, type: QueryTypes.SELECT }
					)
				: [];
			offset = 0;
			const text = stringify(rows.map(csvLine), { header: first, columns: CSV_HEADERS, record_delimiter: '\r\n' });
			controller.enqueue(encoder.encode(first ? BOM + text : text));
			first = false;
			left -= rows.length;
			if (rows.length) after = String(rows[rows.length - 1].seq);
			if (rows.length < want || left <= 0) controller.close();
		}
	});
}
