import type { Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';

export interface AuditEntry {
	actorType: 'staff' | 'citizen' | 'system' | 'anonymous';
	actorId: string | null;
	action: string;
	targetType?: string | null;
	targetId?: string | number | null;
	/** Never personal data: ids, counts, reasons typed by staff. */
	detail?: Record<string, unknown>;
	ip?: string | null;
}

/**
 * Writes one 操作ログ row (R-O03), inside the caller's transaction when it has one. A plain INSERT
 * (no model instance, nothing returned): every audited action pays for it. `at` is the moment of
 * the write, as the model's client-side default was (clock_timestamp, not the transaction's start).
 */
export async function audit(ctx: Pick<AppContext, 'db'>, e: AuditEntry, transaction?: Transaction): Promise<void> {
	await ctx.db.sequelize.query(
		`INSERT INTO audit_log (at, actor_type, actor_id, action, target_type, target_id, detail, ip)
		 VALUES (clock_timestamp(), :actorType, :actorId, :action, :targetType, :targetId, CAST(:detail AS jsonb), :ip)`,
		{
			replacements: {
				actorType: e.actorType,
				actorId: e.actorId,
				action: e.action,
				targetType: e.targetType ?? null,
				targetId: e.targetId == null ? null : String(e.targetId),
				detail: JSON.stringify(e.detail ?? {}),
				ip: e.ip ?? null
			},
			transaction
		}
	);
}
