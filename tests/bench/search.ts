/**
 * Card search benchmark (`npm run bench:search`; not part of `npm test`).
 *
 * A fresh database of the local Postgres with N cards (default 300,000) over three storage
 * locations, 10% of them with a visit (reservation) spread over 60 days and three issuing
 * locations. Each search the staff page can make runs through the real use case (searchCards:
 * the page query and the count), R times; the baseline in the same run is a primary-key lookup
 * of one card through the same pool. Prints p50/p95/max per query and the ratio to the baseline.
 * The goal is every query under 50 ms. Only 127.0.0.1 is contacted.
 * Env: BENCH_CARDS (300000), BENCH_REPEAT (30), BENCH_KEEP (keep the database to EXPLAIN queries).
 */
import { cpus } from 'node:os';
import { QueryTypes } from 'sequelize';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { searchCards, type CardQuery } from '../../src/lib/server/cards/search.ts';

const CARDS = Number(process.env.BENCH_CARDS ?? 300_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 30);
const started = performance.now();
const log = (m: string) => console.log(`[search ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
	const services = await ensureServices();
	const database = await createTestDatabase(services.databaseUrl, 'bench_search', { poolMax: 4 });
	const q = (sql: string) => database.db.sequelize.query(sql);
	try {
		await q(`INSERT INTO locations (code, name_ja, name_en) VALUES ('a', '本庁舎', 'A'), ('b', '北支所', 'B'), ('c', '南支所', 'C')`);
		const kana = `(ARRAY['アオキ','イトウ','ウエダ','エンドウ','オオタ','カトウ','キムラ','クドウ','ケンモチ','コバヤシ','サトウ','スズキ','タナカ','ナカムラ','ヤマモト','ワタナベ'])`;
		await q(`INSERT INTO card_records (notice_id, birth_date, name_kanji, name_kana, storage_location_id, box_position, status, gender)
		         SELECT lpad(i::text, 12, '0'), date '1940-01-01' + (i % 25000), '見本 太郎', ${kana}[1 + i % 16] || ' ' || ${kana}[1 + (i / 16) % 16],
		                1 + i % 3, '箱' || (i / 1000) || '-' || lpad((i % 1000)::text, 3, '0'),
		                (ARRAY['notice_sent','notice_sent','notice_sent','returned','issued','cancelled','needs_redo','no_show'])[1 + i % 8], 1 + i % 2
		           FROM generate_series(1, ${CARDS}) i`);
		const visits = Math.floor(CARDS / 10);
		await q(`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, created_by)
		         SELECT 'B' || i, 1 + i % 3, (SELECT min(id) FROM purposes), 1, date '2026-12-01' + (i % 60),
		                (date '2026-12-01' + (i % 60)) + time '09:00' + ((i % 16) * interval '30 minutes') - interval '9 hours',
		                (date '2026-12-01' + (i % 60)) + time '09:30' + ((i % 16) * interval '30 minutes') - interval '9 hours', 'import', 'bench'
		           FROM generate_series(1, ${visits}) i`);
		await q(`INSERT INTO reservation_persons (reservation_id, card_record_id) SELECT r.id, r.id * 10 FROM reservations r`);
		await q(`UPDATE card_records SET status = 'reserved' WHERE id IN (SELECT card_record_id FROM reservation_persons)`);
		await q(`VACUUM ANALYZE`);
		log(`${CARDS} cards, ${visits} visits seeded`);

		const { ctx } = testContext(database.db);
		const viewer = { userId: 1, login: 'bench', displayName: '', role: 'viewer' as const, locationId: null, sessionId: 'b' };
		const base = { limit: 50, offset: 0 };
		const cases: [string, CardQuery][] = [
			['no filter, newest id', { ...base, sort: 'id', dir: 'desc' }],
			['status 返戻', { ...base, status: 'returned' }],
			['notice ID prefix', { ...base, noticeId: '00000012' }],
			['kana prefix, sorted by kana', { ...base, kana: 'タナカ', sort: 'nameKana' }],
			['storage + status, pull order', { ...base, storageLocationId: 2, status: 'notice_sent', sort: 'storage' }],
			['visit date range + location', { ...base, from: '2026-12-10', to: '2026-12-12', locationId: 2, sort: 'visitDate' }],
			['purpose + date, by visit time', { ...base, purposeId: 1, from: '2026-12-20', to: '2026-12-20', sort: 'visitDate' }],
			['kana prefix + status, page 20', { ...base, kana: 'サ', status: 'notice_sent', offset: 1000, sort: 'nameKana' }],
			['q (notice prefix or kana part)', { ...base, q: 'ヤマモト' }]
		];
		const ids = await database.db.sequelize.query<{ id: string }>(`SELECT id::text FROM card_records ORDER BY random() LIMIT ${REPEAT}`, { type: QueryTypes.SELECT });
		const measure = async (fn: (i: number) => Promise<unknown>) => {
			await fn(0);
			const times: number[] = [];
			for (let i = 0; i < REPEAT; i++) {
				const t0 = performance.now();
				await fn(i);
				times.push(performance.now() - t0);
			}
			return times.sort((a, b) => a - b);
		};
		const baseline = await measure((i) => database.db.sequelize.query(`SELECT id, notice_id, status FROM card_records WHERE id = $1`, { bind: [ids[i % ids.length].id], type: QueryTypes.SELECT }));
		const b50 = pct(baseline, 50);
		console.log('');
		console.log(`  machine: ${cpus().length} CPU × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ${CARDS} cards, ${visits} visits; ${REPEAT} runs each (page of 50 + count)`);
		console.log(`  ${'query'.padEnd(34)} ${'total'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'× baseline p50'.padStart(15)}`);
		console.log(`  ${'baseline: one card by primary key'.padEnd(34)} ${'1'.padStart(8)} ${b50.toFixed(2).padStart(8)} ${pct(baseline, 95).toFixed(2).padStart(8)} ${baseline.at(-1)!.toFixed(2).padStart(8)} ${'1.0'.padStart(15)}`);
		let worst = 0;
		for (const [name, query] of cases) {
			const total = (await searchCards(ctx, viewer, query)).total;
			const t = await measure(() => searchCards(ctx, viewer, query));
			worst = Math.max(worst, pct(t, 95));
			console.log(`  ${name.padEnd(34)} ${String(total).padStart(8)} ${pct(t, 50).toFixed(2).padStart(8)} ${pct(t, 95).toFixed(2).padStart(8)} ${t.at(-1)!.toFixed(2).padStart(8)} ${(pct(t, 50) / b50).toFixed(1).padStart(15)}`);
		}
		console.log(`  goal: every query under 50 ms (p95) → ${worst < 50 ? 'met' : 'NOT met'} (worst p95 ${worst.toFixed(1)} ms)`);
	} finally {
		if (process.env.BENCH_KEEP) console.log(`  kept database ${database.url}`);
		else await database.drop();
		await services.stop?.();
	}
}

await main();
