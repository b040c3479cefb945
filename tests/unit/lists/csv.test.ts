import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { csvChunks, safeCell, toWindows31j, MISSING } from '../../../src/lib/server/lists/csv.ts';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
	const parts: Uint8Array[] = [];
	for await (const c of it) parts.push(c);
	return Buffer.concat(parts);
}

async function* batches(rows: string[][]) {
	yield rows;
}

describe('CSV for Excel', () => {
	it('R-O04 R-S10 cells Excel would run as a formula get a leading apostrophe; ordinary values are untouched', () => {
		expect(['=1+1', '+81', '-2', '@SUM(A1)', '\tx'].map(safeCell)).toEqual(["'=1+1", "'+81", "'-2", "'@SUM(A1)", "'\tx"]);
		expect(['2026-12-01', '1234-5678', '箱2-010', '山田 太郎', ''].map(safeCell)).toEqual(['2026-12-01', '1234-5678', '箱2-010', '山田 太郎', '']);
	});

	it('R-S10 Windows-31J keeps NEC/IBM extensions (髙 﨑 ①) and marks the rest with 〓', () => {
		expect(toWindows31j('髙﨑①ｱ')).toBe('髙﨑①ｱ');
		expect(toWindows31j('𠮷野家 🍙')).toBe(`${MISSING}野家 ${MISSING}`);
	});

	it('R-S10 quotes, commas and line breaks in a cell survive a round trip; CRLF between records', async () => {
		const rows = [['a,b', 'say "hi"', 'two\nlines']];
		const buf = await collect(csvChunks(['h1', 'h2', 'h3'], batches(rows), 'utf-8'));
		expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = buf.subarray(3).toString('utf8');
		expect(text.startsWith('h1,h2,h3\r\n')).toBe(true);
		expect(parse(text)).toEqual([['h1', 'h2', 'h3'], ...rows]);
		const sjis = await collect(csvChunks(['氏名'], batches([['髙橋']]), 'shift_jis'));
		expect(parse(iconv.decode(sjis, 'cp932'))).toEqual([['氏名'], ['髙橋']]);
	});
});
