import type { AppContext } from '../context.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { audit } from './write.ts';
import { verifyChain, type ChainReport } from './chain.ts';

/**
 * The admin page's 改ざん検査 (R-O03): recompute the chain from its first row and say whether it is
 * intact or where it first breaks. The check itself is logged, with its result.
 */
export async function verifyAuditLog(ctx: AppContext, principal: Principal | null, ip?: string | null): Promise<ChainReport> {
	const admin = requireRole(principal, 'admin');
	const report = await verifyChain(ctx.db, ctx.now(), { unsealedFaultSeconds: ctx.config.AUDIT_UNSEALED_FAULT_SECONDS });
	await audit(ctx, {
		actorType: 'staff',
		actorId: admin.login,
		action: 'audit.verified',
		targetType: 'audit_log',
		detail: { intact: report.intact, rows: report.rows, pending: report.pending, ...(report.firstBreak ? { brokenId: report.firstBreak.id, brokenSeq: report.firstBreak.seq, reason: report.firstBreak.reason } : {}) },
		ip
	});
	return report;
}
