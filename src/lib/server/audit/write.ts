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

/** Writes one 操作ログ row (R-O03), inside the caller's transaction when it has one. */
export async function audit(ctx: Pick<AppContext, 'db'>, e: AuditEntry, transaction?: Transaction): Promise<void> {
	await ctx.db.models.AuditLog.create(
		{
			actorType: e.actorType,
			actorId: e.actorId,
			action: e.action,
			targetType: e.targetType ?? null,
			targetId: e.targetId == null ? null : String(e.targetId),
			detail: e.detail ?? {},
			ip: e.ip ?? null
		},
		{ transaction }
	);
}
