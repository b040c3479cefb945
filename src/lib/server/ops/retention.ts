/**
 * R-O09: data retention by the city's rules, run daily by a job and on demand by an admin, who
 * sees the counts of a dry run first. Rows go in batches, each its own short transaction with its
 * audit row; the audit chain stays verifiable (see the retention migration).
 */
import { QueryTypes, Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { DAY_RULES, ERASED, FINAL_CARD_STATUSES, eraseCards, type DayRuleKey, type DayRules } from './retention-rules.ts';

export interface RetentionRules extends DayRules {
	reservationMonths: number | null;
	auditYears: number | null;
}

/** What a save sends: the two original rules, and any subset of the day rules (the rest stay). */
export type RetentionRulesInput = Pick<RetentionRules, 'reservationMonths' | 'auditYears'> & Partial<DayRules>;

/** Rows a day rule would purge (dry run) or purged, by table. */
export interface DayRuleCount {
	rule: DayRuleKey;
	before: string | null;
	tables: { table: string; rows: number }[];
}

export interface RetentionCounts {
	reservations: number;
	cards: number;
	auditRows: number;
	reservationsBefore: string | null;
	auditBefore: string | null;
	byDays: DayRuleCount[];
}

/** Rows per batch; each batch is its own short transaction with its audit row. */
export const RETENTION_BATCH = 1000;

export async function retentionRules(ctx: AppContext): Promise<RetentionRules> {
	const [r] = await ctx.db.sequelize.query<Record<string, number | null>>(
		`SELECT retention_reservation_months AS m, retention_audit_years AS y, ${DAY_RULES.map((d) => `${d.column} AS "${d.key}"`).join(', ')} FROM city_settings WHERE id = 1`,
		{ type: QueryTypes.SELECT }
	);
	const days = Object.fromEntries(DAY_RULES.map((d) => [d.key, r?.[d.key] ?? null])) as DayRules;
	return { reservationMonths: r?.m ?? null, auditYears: r?.y ?? null, ...days };
}

export async function saveRetentionRules(ctx: AppContext, principal: Principal | null, rules: RetentionRulesInput, ip?: string | null): Promise<void> {
	const p = requireRole(principal, 'admin');
	const errors = [];
	if (rules.reservationMonths !== null && !(Number.isInteger(rules.reservationMonths) && rules.reservationMonths >= 1 && rules.reservationMonths <= 240)) {
		errors.push({ field: 'reservationMonths', message: '1〜240 か月で入力してください（空欄は無期限）。' });
	}
	if (rules.auditYears !== null && !(Number.isInteger(rules.auditYears) && rules.auditYears >= 1 && rules.auditYears <= 30)) {
		errors.push({ field: 'auditYears', message: '1〜30 年で入力してください（空欄は無期限）。' });
	}
	const days = DAY_RULES.filter((d) => rules[d.key] !== undefined);
	for (const d of days) {
		const v = rules[d.key];
		if (v !== null && !(Number.isInteger(v) && v! >= d.min && v! <= d.max)) errors.push({ field: d.key, message: `${d.min}〜${d.max} 日で入力してください（空欄は無期限）。` });
	}
	if (errors.length) throw new AppError('bad_request', '入力内容を確認してください。', { errors });
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(
			`UPDATE city_settings SET retention_reservation_months = :m, retention_audit_years = :y, ${days.map((d) => `${d.column} = :${d.key}, `).join('')}updated_at = now() WHERE id = 1`,
			{
				replacements: { m: rules.reservationMonths, y: rules.auditYears, ...Object.fromEntries(days.map((d) => [d.key, rules[d.key]])) },
				transaction: t
			}
		);
		await audit(ctx, { actorType: 'staff', actorId: p.login, action: 'retention.rules_changed', detail: { ...rules }, ip }, t);
	});
}


async function plan(ctx: AppContext, t: Transaction, rules: RetentionRules) {
	const q = <T extends object>(sql: string, replacements: Record<string, unknown>) => ctx.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction: t });
	const now = ctx.now();
	const resBefore = rules.reservationMonths ? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - rules.reservationMonths, now.getUTCDate())).toISOString().slice(0, 10) : null;
	const auditBefore = rules.auditYears ? new Date(Date.UTC(now.getUTCFullYear() - rules.auditYears, now.getUTCMonth(), now.getUTCDate())).toISOString() : null;
	const [res] = resBefore
		? await q<{ n: number }>(
				`SELECT count(*)::int AS n FROM reservations r WHERE r.date < :before
				   AND (r.email IS NOT NULL OR r.phone IS NOT NULL OR EXISTS (SELECT 1 FROM reservation_persons p WHERE p.reservation_id = r.id))`,
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
	return { resBefore, auditBefore, counts: { reservations: res.n, cards: cards.n, auditRows: aud.n, reservationsBefore: resBefore, auditBefore, byDays: [] as DayRuleCount[] }, auditMaxSeq: aud.max };
}

type Actor = { type: 'staff' | 'system'; id: string | null; ip?: string | null };

/**
 * Runs `sql` (one batch of at most :batch rows, answering one row {n}) until a batch comes back
 * short, each batch one transaction with its audit row `retention.purged_batch` (rule, table, rows;
 * never personal data). Returns the rows purged.
 */
async function inBatches(ctx: AppContext, sql: string, params: Record<string, unknown> & { batch: number }, actor: Actor, what: { rule: string; table: string; before: string }): Promise<number> {
	let rows = 0;
	for (;;) {
		const n = await ctx.db.sequelize.transaction(async (t) => {
			const [r] = await ctx.db.sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT, replacements: params, transaction: t });
			if (r.n > 0) await audit(ctx, { actorType: actor.type, actorId: actor.id, action: 'retention.purged_batch', detail: { ...what, rows: r.n }, ip: actor.ip }, t);
			return r.n;
		});
		rows += n;
		if (n < params.batch) return rows;
	}
}

/**
 * The day rules (retention-rules.ts): a count per table, or the purge, table by table in batches of
 * RETENTION_BATCH rows, each batch one transaction with its audit row, until a batch comes back short.
 */
async function runDayRules(ctx: AppContext, rules: DayRules, dryRun: boolean, actor: Actor, batch: number): Promise<DayRuleCount[]> {
	const now = ctx.now();
	const out: DayRuleCount[] = [];
	for (const d of DAY_RULES) {
		const days = rules[d.key];
		if (days === null) {
			out.push({ rule: d.key, before: null, tables: d.targets.map((x) => ({ table: x.table, rows: 0 })) });
			continue;
		}
		const before = new Date(now.getTime() - days * 86_400_000).toISOString();
		const params = { before, now: now.toISOString(), final: [...FINAL_CARD_STATUSES], erased: ERASED, batch };
		const tables = [];
		for (const target of d.targets) {
			let rows = 0;
			if (dryRun) {
				const [c] = await ctx.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${target.candidates}) x`, { type: QueryTypes.SELECT, replacements: params });
				rows = c.n;
			} else {
				rows = await inBatches(ctx, target.purge(`${target.candidates} LIMIT :batch`), params, actor, { rule: d.key, table: target.table, before });
			}
			tables.push({ table: target.table, rows });
		}
		out.push({ rule: d.key, before, tables });
	}
	return out;
}

/**
 * Counts (dry run) or purges. Old bookings keep their date, place and counts; their email and the
 * link to each person go. Cards in a final status untouched since then lose name, kana, address,
 * notice ID and birth date, with their data-change history and staff notes. Audit rows older than
 * the rule go from the start of the chain, and the anchor keeps it verifiable. Then the day rules.
 */
export async function runRetention(ctx: AppContext, opts: { dryRun: boolean; actor: Actor; batch?: number }): Promise<RetentionCounts> {
	const rules = await retentionRules(ctx);
	const batch = opts.batch ?? RETENTION_BATCH;
	const counts = await runMonthRules(ctx, rules, { ...opts, batch });
	counts.byDays = await runDayRules(ctx, rules, opts.dryRun, opts.actor, batch);
	return counts;
}

/**
 * The first two rules. Bookings and cards go in batches (a city's first purge may hold years of
 * them); the counts are taken first, from one snapshot, as the dry run shows them. The audit rows
 * go in one call, which must see the start of the chain whole.
 */
async function runMonthRules(ctx: AppContext, rules: RetentionRules, opts: { dryRun: boolean; actor: Actor; batch: number }): Promise<RetentionCounts> {
	const p = await ctx.db.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, (t) => plan(ctx, t, rules));
	if (opts.dryRun) return p.counts;
	if (p.resBefore) {
		const params = { before: p.resBefore, final: [...FINAL_CARD_STATUSES], erased: ERASED, batch: opts.batch };
		const what = (table: string) => ({ rule: 'reservationMonths', table, before: p.resBefore! });
		await inBatches(
			ctx,
			`WITH d AS (DELETE FROM reservation_persons WHERE id IN (SELECT p.id FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id WHERE r.date < :before LIMIT :batch) RETURNING 1)
			 SELECT count(*)::int AS n FROM d`,
			params,
			opts.actor,
			what('reservation_persons')
		);
		await inBatches(
			ctx,
			`WITH d AS (UPDATE reservations SET email = NULL, phone = NULL WHERE id IN (SELECT id FROM reservations WHERE date < :before AND (email IS NOT NULL OR phone IS NOT NULL) LIMIT :batch) RETURNING 1)
			 SELECT count(*)::int AS n FROM d`,
			params,
			opts.actor,
			what('reservations')
		);
		await inBatches(ctx, eraseCards(`SELECT id FROM card_records WHERE status IN (:final) AND updated_at < :before AND name_kanji <> :erased LIMIT :batch`), params, opts.actor, what('card_records'));
	}
	return ctx.db.sequelize.transaction(async (t) => {
		const run = (sql: string, replacements: Record<string, unknown>) => ctx.db.sequelize.query(sql, { replacements, transaction: t });
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
