/**
 * Verifies the 操作ログ hash chain (R-O03) from its first row: recomputes every hash in Node from
 * the stored values, independently of the sealer that wrote it (db/functions/00-audit-hash.sql
 * describes the canonical text, db/functions/20-audit-seal.sql the sealer).
 *
 * Rows are written unsealed and sealed by one sealer shortly after commit (issue 17): an unsealed
 * row younger than AUDIT_UNSEALED_FAULT_SECONDS is normal (`pending`), an older one is a fault
 * (`unsealed_stale`): the sealer has stopped, or the row got past it. Age is counted from `at` (the
 * moment of the insert; for the runtime role the start of its transaction), on the database's
 * clock: a row of a transaction that stayed open longer than the threshold can show as stale in the
 * moment (one sealer interval at most) between its commit and the next pass.
 */
import { createHash } from 'node:crypto';
import { QueryTypes, Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';

export const GENESIS = '0'.repeat(64);

export type BreakReason =
	/** the row's own fields no longer give its hash: it was changed */
	| 'hash_mismatch'
	/** the row does not point at the row before it: a row before it was changed, removed or reordered */
	| 'prev_mismatch'
	/** a chain position is missing: rows were removed */
	| 'seq_gap'
	/** the chain head records later rows than the log holds: the newest rows were removed */
	| 'tail_missing'
	/** the newest row and the chain head disagree: the newest row was rewritten with a new hash */
	| 'head_mismatch'
	/** a row is still unsealed long after it was written: the sealer has stopped, or the row got past it (triggers off) */
	| 'unsealed_stale';

/** The default of AUDIT_UNSEALED_FAULT_SECONDS (src/lib/server/config.ts). */
export const DEFAULT_UNSEALED_FAULT_SECONDS = 10;

export const BREAK_MESSAGES: Record<BreakReason, string> = {
	hash_mismatch: 'この行の内容が記録後に書き換えられています。',
	prev_mismatch: 'この行の直前の行が書き換えられたか、削除されています。',
	seq_gap: 'この行の直前の行が削除されています（連番が飛んでいます）。',
	tail_missing: '最新の行が削除されています（記録上の最終行がありません）。',
	head_mismatch: '最新の行が記録後に書き換えられています（チェーンの先頭記録と一致しません）。',
	unsealed_stale:
		'記録から一定時間が過ぎてもチェーンに封印されていない行があります（封印処理が止まっているか、改ざん防止の仕組みを止めて書き込まれた可能性があります）。'
};

const staleMessage = (seconds: number) =>
	`記録から ${seconds} 秒以上過ぎてもチェーンに封印されていない行があります（封印処理が止まっているか、改ざん防止の仕組みを止めて書き込まれた可能性があります）。`;

export interface ChainBreak {
	reason: BreakReason;
	/** audit_log.id of the first row that fails; null when rows are missing at the end */
	id: string | null;
	/** the chain position where the break was found */
	seq: string;
	message: string;
}

export interface ChainReport {
	intact: boolean;
	/** rows checked */
	rows: number;
	lastSeq: string | null;
	/** rows written within the last AUDIT_UNSEALED_FAULT_SECONDS and not sealed yet: normal, the sealer chains them shortly */
	pending: number;
	firstBreak: ChainBreak | null;
	checkedAt: string;
}

export interface ChainRow {
	seq: string;
	id: string;
	at_utc: string;
	actor_type: string;
	actor_id: string | null;
	action: string;
	target_type: string | null;
	target_id: string | null;
	detail_text: string;
	ip: string | null;
	prev_hash: string;
	hash: string;
}

/** The canonical text of one row: a JSON array of its values as strings (Postgres's own text for each). */
export function canonical(r: ChainRow): string {
	return JSON.stringify([r.seq, r.id, r.at_utc, r.actor_type, r.actor_id, r.action, r.target_type, r.target_id, r.detail_text, r.ip]);
}

export function rowHash(prevHash: string, r: ChainRow): string {
	return createHash('sha256').update(prevHash + canonical(r), 'utf8').digest('hex');
}

const SELECT = `SELECT seq::text AS seq, id::text AS id,
		to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_utc,
		actor_type, actor_id, action, target_type, target_id, detail::text AS detail_text, ip, prev_hash, hash
	FROM audit_log`;

const BATCH = 2000;

/**
 * Walks the whole chain in one read-only REPEATABLE READ snapshot (rows written meanwhile are
 * simply not part of this check), keyset-paged so memory stays flat however long the log is.
 */
export async function verifyChain(db: Db, now: Date = new Date(), opts: { unsealedFaultSeconds?: number } = {}): Promise<ChainReport> {
	const faultSeconds = opts.unsealedFaultSeconds ?? DEFAULT_UNSEALED_FAULT_SECONDS;
	return db.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => {
		// R-O09: after a retention purge the chain starts from the anchor (the last purged row's hash)
		const [anchor] = await db.sequelize.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM audit_chain_anchor`, { type: QueryTypes.SELECT, transaction: t });
		let prev = anchor?.hash ?? GENESIS;
		let expected = anchor ? BigInt(anchor.seq) + 1n : 1n;
		let rows = 0;
		let last: string | null = null;
		let lastId: string | null = null;
		let pending = 0;
		const broken = (reason: BreakReason, id: string | null, seq: string): ChainReport => ({
			intact: false,
			rows,
			lastSeq: last,
			pending,
			firstBreak: { reason, id, seq, message: reason === 'unsealed_stale' ? staleMessage(faultSeconds) : BREAK_MESSAGES[reason] },
			checkedAt: now.toISOString()
		});
		for (;;) {
			const batch = await db.sequelize.query<ChainRow>(`${SELECT} WHERE audit_log.seq >= :from ORDER BY audit_log.seq LIMIT ${BATCH}`, {
				replacements: { from: expected.toString() },
				type: QueryTypes.SELECT,
				transaction: t
			});
			for (const r of batch) {
				if (BigInt(r.seq) !== expected) return broken('seq_gap', r.id, r.seq);
				if (r.prev_hash !== prev) return broken('prev_mismatch', r.id, r.seq);
				if (rowHash(prev, r) !== r.hash) return broken('hash_mismatch', r.id, r.seq);
				prev = r.hash;
				last = r.seq;
				lastId = r.id;
				rows++;
				expected++;
			}
			if (batch.length < BATCH) break;
		}
		const [head] = await db.sequelize.query<{ seq: string; hash: string }>(`SELECT seq::text AS seq, hash FROM audit_chain_head`, {
			type: QueryTypes.SELECT,
			transaction: t
		});
		// unsealed rows, on the database's clock (the one that wrote `at`)
		const [unsealed] = await db.sequelize.query<{ pending: number; stale_id: string | null }>(
			`SELECT count(*) FILTER (WHERE at >= c.cut)::int AS pending, min(id) FILTER (WHERE at < c.cut)::text AS stale_id
			   FROM audit_log, (SELECT statement_timestamp() - make_interval(secs => :s) AS cut) c
			  WHERE seq IS NULL`,
			{ replacements: { s: faultSeconds }, type: QueryTypes.SELECT, transaction: t }
		);
		pending = unsealed.pending;
		if (unsealed.stale_id) return broken('unsealed_stale', unsealed.stale_id, '-');
		const headSeq = head ? BigInt(head.seq) : 0n;
		if (headSeq > expected - 1n) return broken('tail_missing', null, expected.toString());
		if (head && headSeq > 0n && head.hash !== prev) return broken('head_mismatch', lastId, last!);
		return { intact: true, rows, lastSeq: last, pending, firstBreak: null, checkedAt: now.toISOString() };
	});
}
