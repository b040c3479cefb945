/**
 * Lists benchmark (`npm run bench:lists`; not part of `npm test`).
 *
 * A fresh database of the local Postgres with BENCH_ROWS one-person visits spread over 93 days
 * (the longest range) at one issuing location, cards stored at three locations. Times, in one
 * run: the baseline — the same SELECT read whole into memory through Sequelize — then the pull
 * list as CSV (UTF-8 and Shift_JIS) and PDF, and the transfer list as PDF, through the use case,
 * each body consumed to the end. Prints rows/s, size, pages and the process's peak RSS growth.
 * Only 127.0.0.1 is contacted.
 */
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { exportList, type ExportInput } from '../../src/lib/server/lists/export.ts';
import { listQueries } from '../../src/lib/server/lists/query.ts';
import { ROWS_PER_PAGE } from '../../src/lib/server/lists/pdf.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const services = await ensureServices();
const t = await createTestDatabase(services.databaseUrl, 'benchlists');
try {
	const locs = [await makeLocation(t.db, { nameJa: '市役所本庁舎' }), await makeLocation(t.db, { nameJa: '北支所' }), await makeLocation(t.db, { nameJa: '南支所' })];
	const [[{ id: purposeId }]] = (await t.db.sequelize.query(`SELECT id FROM purposes ORDER BY id LIMIT 1`)) as [{ id: number }[], unknown];
	await t.db.sequelize.query(
		`INSERT INTO card_records (notice_id, birth_date, name_kanji, name_kana, storage_location_id, box_position, status)
		 SELECT 'B' || g, '1980-01-01', '試験 太郎' || g, 'シケン タロウ', (ARRAY[:l1, :l2, :l3])[1 + g % 3], '箱' || (g / 50) || '-' || (g % 50), 'reserved'
		   FROM generate_series(1, :n) g;
		 INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, email)
		 SELECT 'B' || g, :l1, :purpose, 1, d, (d + time '09:00' + (g % 30) * interval '15 minutes') AT TIME ZONE 'Asia/Tokyo',
		        (d + time '09:15' + (g % 30) * interval '15 minutes') AT TIME ZONE 'Asia/Tokyo', 'staff', NULL
		   FROM generate_series(1, :n) g, LATERAL (SELECT date '2027-01-04' + (g % 93) AS d) x;
		 INSERT INTO reservation_persons (reservation_id, card_record_id) SELECT r.id, c.id FROM reservations r JOIN card_records c ON c.notice_id = r.booking_number;
		 ANALYZE;`,
		{ replacements: { n: ROWS, l1: locs[0].id, l2: locs[1].id, l3: locs[2].id, purpose: purposeId } }
	);
	const u = await makeStaff(t.db, 'clerk');
	const clerk: Principal = { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 'bench' };
	const { ctx } = testContext(t.db);
	const base: ExportInput = { kind: 'pull', locationId: locs[0].id, from: '2027-01-04', to: '2027-04-06', format: 'csv', encoding: 'utf-8' };

	let peak = 0;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	const measure = async (name: string, work: () => Promise<{ rows: number; bytes: number }>) => {
		if (global.gc) global.gc();
		const before = process.memoryUsage().rss;
		peak = before;
		const t0 = performance.now();
		const r = await work();
		const ms = performance.now() - t0;
		console.log(`${name.padEnd(34)} ${String(r.rows).padStart(7)} rows ${ms.toFixed(0).padStart(7)} ms ${Math.round(r.rows / (ms / 1000)).toLocaleString('en').padStart(9)} rows/s ${(r.bytes / 1024).toFixed(0).padStart(7)} KiB  RSS +${((peak - before) / 1048576).toFixed(0)} MiB`);
		return ms;
	};
	const q = listQueries({ kind: 'pull', locationId: base.locationId, from: base.from, to: base.to });
	const baseline = await measure('baseline: SELECT whole into memory', async () => {
		const rows = await t.db.sequelize.query(q.selectSql, { replacements: q.replacements, type: 'SELECT' as never });
		return { rows: (rows as unknown[]).length, bytes: 0 };
	});
	const run = (over: Partial<ExportInput>) => async () => {
		const list = await exportList(ctx, clerk, { ...base, ...over });
		const buf = await new Response(list.body).arrayBuffer();
		return { rows: list.rows, bytes: buf.byteLength };
	};
	const csv = await measure('pull list CSV UTF-8', run({}));
	await measure('pull list CSV Shift_JIS', run({ encoding: 'shift_jis' }));
	const pdf = await measure(`pull list PDF (${Math.ceil(ROWS / ROWS_PER_PAGE)} pages)`, run({ format: 'pdf' }));
	await measure('transfer list PDF', run({ kind: 'transfer', format: 'pdf' }));
	clearInterval(sampler);
	console.log(`\nratios to the baseline read: CSV ${(csv / baseline).toFixed(2)}×, PDF ${(pdf / baseline).toFixed(2)}×`);
} finally {
	await t.drop();
	await services.stop();
}
