/**
 * Card import benchmark (`npm run bench:import`; not part of `npm test`).
 *
 * Writes a CSV of N card rows (default 100,000; half the birth dates in 和暦) to a temp file, then
 * on a fresh database of the local Postgres, in the same run:
 *   1. baseline: psql `\copy` of the same file into a plain table of text columns — Postgres's
 *      own bulk-load speed, with no validation, no upsert and no history;
 *   2. import: the real use case (importCards) streaming the file from disk — decode, parse,
 *      validate every row, stage, upsert in one transaction;
 *   3. re-import of the same file (everything unchanged);
 *   4. import of the file with 1% of the rows changed (updates + change history);
 *   5. the same file in Shift_JIS.
 * Prints rows/s and the ratio of each to the COPY baseline. Only 127.0.0.1 is contacted.
 * Env: BENCH_ROWS (100000).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { ensureServices } from '../harness/services.ts';
import { createTestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeStaff } from '../harness/factories.ts';
import { importCards } from '../../src/lib/server/cards/import.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const started = performance.now();
const log = (m: string) => console.log(`[import ${((performance.now() - started) / 1000).toFixed(1)}s] ${m}`);
const HEADER = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';
const SEI = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村'];
const SEI_KANA = ['サトウ', 'スズキ', 'タカハシ', 'タナカ', 'イトウ', 'ワタナベ', 'ヤマモト', 'ナカムラ'];
const MEI = ['太郎', '花子', '次郎', '美咲', '健一', '陽菜'];
const MEI_KANA = ['タロウ', 'ハナコ', 'ジロウ', 'ミサキ', 'ケンイチ', 'ヒナ'];

function line(i: number, variant: number): string {
	const y = 1940 + (i % 70);
	const m = 1 + (i % 12);
	const d = 1 + (i % 28);
	const birth = i % 2 === 0 ? `${y}/${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}` : y >= 1989 && !(y === 1989 && m === 1 && d < 8) ? `平成${y - 1988 === 1 ? '元' : y - 1988}年${m}月${d}日` : `昭和${y - 1925}年${m}月${d}日`;
	const s = i % SEI.length;
	const n = i % MEI.length;
	const box = variant && i % 100 === 0 ? `箱${variant}-${i % 1000}` : `箱${Math.floor(i / 1000)}-${String(i % 1000).padStart(3, '0')}`;
	return `B-${String(i).padStart(8, '0')},${SEI[s]} ${MEI[n]},${SEI_KANA[s]} ${MEI_KANA[n]},${birth},${1 + (i % 2)},見本市中央町${1 + (i % 50)}-${1 + (i % 20)},bench,${box},2026/11/${String(1 + (i % 20)).padStart(2, '0')}`;
}

async function writeFile(path: string, variant: number, encoding: 'utf-8' | 'cp932') {
	const out = createWriteStream(path);
	const put = async (s: string) => {
		if (!out.write(encoding === 'utf-8' ? s : iconv.encode(s, 'cp932'))) await once(out, 'drain');
	};
	await put((encoding === 'utf-8' ? '\uFEFF' : '') + HEADER + '\r\n');
	let chunk = '';
	for (let i = 0; i < ROWS; i++) {
		chunk += line(i, variant) + '\r\n';
		if (chunk.length > 1 << 16) {
			await put(chunk);
			chunk = '';
		}
	}
	await put(chunk);
	out.end();
	await once(out, 'finish');
}

async function main() {
	const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
	const services = await ensureServices();
	const database = await createTestDatabase(services.databaseUrl, 'bench_import', { poolMax: 4 });
	try {
		const utf8 = join(dir, 'cards.csv');
		const changed = join(dir, 'cards-changed.csv');
		const sjis = join(dir, 'cards-sjis.csv');
		await writeFile(utf8, 0, 'utf-8');
		await writeFile(changed, 7, 'utf-8');
		await writeFile(sjis, 0, 'cp932');
		log(`${ROWS} rows written: ${(statSync(utf8).size / 1e6).toFixed(1)} MB UTF-8`);
		await database.db.models.Location.create({ code: 'bench', nameJa: 'ベンチ保管庫', nameEn: 'Bench' });
		const staff = await makeStaff(database.db, 'clerk');
		const clerk = { userId: staff.id, login: staff.login, displayName: '', role: 'clerk' as const, locationId: null, sessionId: 'bench' };
		const { ctx } = testContext(database.db);

		// 1. baseline: COPY of the same bytes into text columns
		spawnSync('psql', [database.url, '-qc', `CREATE TABLE copy_baseline (a text, b text, c text, d text, e text, f text, g text, h text, i text)`], { stdio: 'inherit' });
		let t0 = performance.now();
		const copy = spawnSync('psql', [database.url, '-qc', `\\copy copy_baseline FROM '${utf8}' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`], { stdio: 'inherit' });
		if (copy.status !== 0) throw new Error('psql \\copy failed');
		const copySeconds = (performance.now() - t0) / 1000;
		log(`COPY baseline: ${copySeconds.toFixed(2)} s`);

		const runs: { name: string; seconds: number; result: unknown }[] = [];
		const timed = async (name: string, path: string, encoding: 'auto' | 'shift_jis') => {
			t0 = performance.now();
			const result = await importCards(ctx, clerk, { body: createReadStream(path, { highWaterMark: 1 << 16 }), encoding });
			const seconds = (performance.now() - t0) / 1000;
			runs.push({ name, seconds, result });
			log(`${name}: ${seconds.toFixed(2)} s ${JSON.stringify({ created: result.created, updated: result.updated, unchanged: result.unchanged })}`);
		};
		await timed('import (new cards, UTF-8)', utf8, 'auto');
		await timed('re-import, same file', utf8, 'auto');
		await timed('import, 1% of rows changed', changed, 'auto');
		await database.db.sequelize.query('TRUNCATE card_record_changes, card_records CASCADE');
		await timed('import (new cards, Shift_JIS)', sjis, 'shift_jis');
		const mem = process.memoryUsage();

		console.log('');
		console.log(`  machine: ${cpus().length} CPU × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ${ROWS} rows`);
		console.log(`  ${'run'.padEnd(32)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(9)} ${'× COPY time'.padStart(12)}`);
		console.log(`  ${'COPY baseline (psql \\copy)'.padEnd(32)} ${copySeconds.toFixed(2).padStart(8)} ${Math.round(ROWS / copySeconds).toLocaleString('en').padStart(9)} ${'1.0'.padStart(12)}`);
		for (const r of runs) {
			console.log(`  ${r.name.padEnd(32)} ${r.seconds.toFixed(2).padStart(8)} ${Math.round(ROWS / r.seconds).toLocaleString('en').padStart(9)} ${(r.seconds / copySeconds).toFixed(1).padStart(12)}`);
		}
		console.log(`  goal: ${ROWS} rows in under 30 s → ${runs.every((r) => r.seconds < 30) ? 'met' : 'NOT met'}; rss after runs ${(mem.rss / 1e6).toFixed(0)} MB`);
	} finally {
		await database.drop();
		await services.stop?.();
		rmSync(dir, { recursive: true, force: true });
	}
}

await main();
