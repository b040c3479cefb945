/**
 * R-O09: data retention by the city's rules, run daily by a job and on demand by an admin, who
 * sees the counts of a dry run first. Everything in one transaction; the audit chain stays
 * verifiable (see the retention migration).
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit.ts';
import { requireRole, type Principal } from '../auth/session.ts';

export interface RetentionRules {
	reservationMonths: number | null;
	auditYears: number | null;
}

export interface RetentionCounts {
	reservations: number;
	cards: number;
	auditRows: number;
	reservationsBefore: string | null;
	auditBefore: string | null;
}

export async function retentionRules(ctx: AppContext): Promise<RetentionRules> {
	const [r] = await ctx.db.sequelize.query<{ m: number | null; y: number | null }>(
		`SELECT retention_reservation_months AS m, retention_audit_years AS y FROM city_settings WHERE id = 1`,
		{ type: QueryTypes.SELECT }
	);
	return { reservationMonths: r?.m ?? null, auditYears: r?.y ?? null };
}

export async function saveRetentionRules(ctx: AppContext, principal: Principal | null, rules: RetentionRules, ip?: string | null): Promise<void> {
	const p = requireRole(principal, 'admin');
	const errors = [];
	if (rules.reservationMonths !== null && !(Number.isInteger(rules.reservationMonths) && rules.reservationMonths >= 1 && rules.reservationMonths <= 240)) {
		errors.push({ field: 'reservationMonths', message: '1〜240 か月で入力してください（空欄は無期限）。' });
	}
	if (rules.auditYears !== null && !(Number.isInteger(rules.auditYears) && rules.auditYears >= 1 && rules.auditYears <= 30)) {
		errors.push({ field: 'auditYears', message: '1〜30 年で入力してください（空欄は無期限）。' });
	}
	if (errors.length) throw new AppError('bad_request', '入力内容を確認してください。', { errors });
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`UPDATE city_settings SET retention_reservation_months = :m, retention_audit_years = :y, updated_at = now() WHERE id = 1`, {
			replacements: { m: rules.reservationMonths, y: rules.auditYears },
			transaction: t
		});
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'retention.rules_changed', detail: { ...rules }, ip }, t);
	});
}

const FINAL_CARD_STATUSES = ['issued', 'cancelled', 'returned'];
const ERASED = '（削除済み）';

async function plan(ctx: AppContext, t: Transaction, rules: RetentionRules) {
	const q = <T extends object>(sql: string, replacements: Record<string, unknown>) => ctx.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction: t });
	const now = ctx.now();
	const resBefore = rules.reservationMonths ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - rules.reservationMonths, now.getUTCDate())).toISOString().slice(0, 10) : null;
	const auditBefore = rules.auditYears ? new Date(Date.UTC(now.getUTCFullYear() - rules.auditYears, now.getUTCMonth(), now.getUTCDate())).toISOString() : null;
	const [res] = resBefore
		? await q<{ n: number }>(
				`SELECT count(*)::int AS n FROM reservations r WHERE r.date < :before
				   AND (r.email IS NOT NULL OR EXISTS (SELECT 1 FROM reservation_persons p WHERE p.reservation_id = r.id))`,
				{ before: resBefore }
			)
		: [{ n: 0 }];
	const [cards] = resBefore
		? await q<{ n: number }>(`SELECT count(*)::int AS n FROM card_records WHERE status IN (:final) AND updated_at < :before AND name_kanji <> :erased`, {
				final: FINAL_CARD_STATUSES,
				before: resBefore,
				erased: ERASED
			})
		: [{ n: 0 }];
	const [aud] = auditBefore
		? // only the start of the chain can go: up to the first row that is still to be kept
			await q<{ n: number; max: string | null }>(
				`WITH cut AS (SELECT coalesce((SELECT min(seq) - 1 FROM audit_log WHERE at >= :before), (SELECT max(seq) FROM audit_log)) AS s)
				 SELECT count(*)::int AS n, max(seq)::text AS max FROM audit_log, cut WHERE seq <= cut.s AND at < :before`,
				{ before: auditBefore }
			)
		: [{ n: 0, max: null }];
	return { resBefore, auditBefore, counts: { reservations: res.n, cards: cards.n, auditRows: aud.n, reservationsBefore: resBefore, auditBefore }, auditMaxSeq: aud.max };
}

/**
 * Counts (dry run) or purges. Old bookings keep their date, place and counts; their email and the
 * link to each person go. Cards in a final status untouched since then lose name, kana, address,
 * notice ID and birth date, with their data-change history and staff notes. Audit rows older than
 * the rule go from the start of the chain, and the anchor keeps it verifiable.
 */
export async function runRetention(ctx: AppContext, opts: { dryRun: boolean; actor: { type: 'staff' | 'system'; id: string | null; ip?: string | null } }): Promise<RetentionCounts> {
	const rules = await retentionRules(ctx);
	return ctx.db.sequelize.transaction(async (t) => {
		const p = await plan(ctx, t, rules);
		if (opts.dryRun) return p.counts;
		const run = (sql: string, replacements: Record<string, unknown>) => ctx.db.sequelize.query(sql, { replacements, transaction: t });
		if (p.resBefore) {
			await run(`DELETE FROM reservation_persons p USING reservations r WHERE p.reservation_id = r.id AND r.date < :before`, { before: p.resBefore });
			await run(`UPDATE reservations SET email = NULL, phone = NULL WHERE date < :before AND (email IS NOT NULL OR phone IS NOT NULL)`, { before: p.resBefore });
			await run(
				`WITH c AS (SELECT id FROM card_records WHERE status IN (:final) AND updated_at < :before AND name_kanji <> :erased),
				      h AS (DELETE FROM card_record_changes WHERE card_record_id IN (SELECT id FROM c)),
				      n AS (DELETE FROM person_notes WHERE card_record_id IN (SELECT id FROM c))
				 UPDATE card_records SET name_kanji = :erased, name_kana = '', address = '', box_position = '', notice_id = 'X' || id::text, birth_date = DATE '1900-01-01'
				  WHERE id IN (SELECT id FROM c)`,
				{ final: FINAL_CARD_STATUSES, before: p.resBefore, erased: ERASED }
			);
		}
		if (p.auditMaxSeq) {
			// The runtime role may not delete audit rows (issue 10): the owner's function deletes the
			// start of the chain only when older than the city's rule, and writes the anchor.
			await run(`SELECT audit_log_purge(:s)`, { s: p.auditMaxSeq });
		}
		await audit(ctx, { actorType: opts.actor.type, actorId: opts.actor.id, action: 'retention.purged', detail: { ...p.counts }, ip: opts.actor.ip }, t);
		return p.counts;
	});
}

export async function retentionPreview(ctx: AppContext, principal: Principal | null): Promise<RetentionCounts> {
	requireRole(principal, 'admin');
	return runRetention(ctx, { dryRun: true, actor: { type: 'staff', id: null } });
}

export async function retentionPurgeNow(ctx: AppContext, principal: Principal | null, ip?: string | null): Promise<RetentionCounts> {
	const p = requireRole(principal, 'admin');
	return runRetention(ctx, { dryRun: false, actor: { type: 'staff', id: p.login, ip } });
}
