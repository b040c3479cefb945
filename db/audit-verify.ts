/**
 * `npm run audit:verify`: recomputes the 操作ログ hash chain (R-O03) of DATABASE_URL from its first
 * row. Prints whether it is intact or the first row where it breaks; exits 0 when intact, 1 when
 * broken (a row left unsealed longer than AUDIT_UNSEALED_FAULT_SECONDS is a break too), 2 when it
 * cannot run. Reads only: it writes no audit row of its own (the admin page does).
 */
import { createDb } from './index.ts';
import { verifyChain } from '../src/lib/server/audit/chain.ts';
import { configFromEnvOrExit } from '../src/lib/server/config.ts';

const config = configFromEnvOrExit();
if (!config.DATABASE_URL) {
	console.error('DATABASE_URL is not set. Example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/mynumber npm run audit:verify');
	process.exit(2);
}
const db = createDb(config.DATABASE_URL, { poolMax: 1 });
try {
	const started = performance.now();
	const r = await verifyChain(db, new Date(), { unsealedFaultSeconds: config.AUDIT_UNSEALED_FAULT_SECONDS });
	const ms = Math.round(performance.now() - started);
	if (r.intact) {
		console.log(`操作ログ: 改ざんなし (intact) — ${r.rows} 行を検査 / ${r.rows} rows checked, last seq ${r.lastSeq ?? '-'}, ${ms} ms`);
		// rows written in the last few seconds wait for the sealer: normal, not part of this check
		if (r.pending) console.log(`  封印待ち ${r.pending} 行 (${config.AUDIT_UNSEALED_FAULT_SECONDS} 秒以内に記録) / ${r.pending} rows pending sealing, written within ${config.AUDIT_UNSEALED_FAULT_SECONDS} s`);
	} else {
		const b = r.firstBreak!;
		console.log(`操作ログ: 改ざんを検出 (BROKEN) — ${b.message}`);
		console.log(`  first broken row: id ${b.id ?? '(missing)'}, seq ${b.seq}, reason ${b.reason}; ${r.rows} rows intact before it`);
		process.exitCode = 1;
	}
} catch (e) {
	console.error(`audit:verify could not run: ${(e as Error).message}`);
	process.exitCode = 2;
} finally {
	await db.close();
}
