import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { encodingFromLabel, openCsv, sniffEncoding } from '../../../src/lib/server/cards/csv-input.ts';

async function* chunks(b: Uint8Array, size: number) {
	for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
const collect = async (it: AsyncIterable<{ line: number; values: string[] }>) => {
	const out = [];
	for await (const r of it) out.push(r);
	return out;
};

describe('CSV input (R-S02)', () => {
	it('R-S02 encoding labels and detection: BOM, clean UTF-8 (even cut mid-character), Shift_JIS', () => {
		expect([encodingFromLabel('Shift_JIS'), encodingFromLabel('windows-31j'), encodingFromLabel('UTF8'), encodingFromLabel(undefined), encodingFromLabel('euc-jp')]).toEqual([
			'shift_jis',
			'shift_jis',
			'utf-8',
			'auto',
			null
		]);
		const utf = new TextEncoder().encode('交付通知書番号');
		expect(sniffEncoding(utf.subarray(0, 5))).toBe('utf-8');
		expect(sniffEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8');
		expect(sniffEncoding(iconv.encode('交付通知書番号', 'cp932'))).toBe('shift_jis');
	});

	it('R-S02 a Shift_JIS CRLF stream in 3-byte chunks decodes across chunk edges; line numbers count a quoted line break once', async () => {
		const bytes = iconv.encode('見出し,二\r\n髙橋,"複数\r\n行"\r\n\r\n末尾,①\r\n', 'cp932');
		const { encoding, records } = await openCsv(chunks(bytes, 3), 'auto');
		expect(encoding).toBe('shift_jis');
		expect(await collect(records)).toEqual([
			{ line: 1, values: ['見出し', '二'] },
			{ line: 2, values: ['髙橋', '複数\n行'] },
			{ line: 5, values: ['末尾', '①'] }
		]);
	});

	it('R-S02 a file over the size limit is refused with a clear 400 while it streams', async () => {
		const big = new TextEncoder().encode('a,b\n' + '1,2\n'.repeat(1000));
		const { records } = await openCsv(chunks(big, 100), 'utf-8', 1000);
		await expect(collect(records)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('大きすぎます') });
	});
});
