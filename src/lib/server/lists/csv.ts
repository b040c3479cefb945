/**
 * CSV for Excel (R-S10): UTF-8 with a BOM, or Shift_JIS (Windows-31J, what Excel means by it).
 * CRLF line ends; a cell that Excel would read as a formula gets a leading apostrophe (R-O04).
 */
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import type { ListEncoding } from '../../domain/lists/index.ts';

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
/** 〓 (geta) is what Japanese offices print for a character the code page lacks. */
export const MISSING = '〓';

import { safeCell, safeRow } from '../files/cells.ts';
export { safeCell };

const encodable = new Map<string, boolean>();
/** Characters Windows-31J cannot hold (e.g. 𠮷) become 〓 instead of iconv's silent '?'. */
export function toWindows31j(s: string): string {
	if (/^[\x20-\x7e\r\n]*$/.test(s)) return s;
	let out = '';
	for (const ch of s) {
		let ok = encodable.get(ch);
		if (ok === undefined) {
			ok = iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') === ch;
			encodable.set(ch, ok);
		}
		out += ok ? ch : MISSING;
	}
	return out;
}

function encode(text: string, encoding: ListEncoding): Uint8Array {
	return encoding === 'shift_jis' ? new Uint8Array(iconv.encode(toWindows31j(text), 'cp932')) : new TextEncoder().encode(text);
}

export function csvContentType(encoding: ListEncoding): string {
	return encoding === 'shift_jis' ? 'text/csv; charset=Shift_JIS' : 'text/csv; charset=utf-8';
}

/** The CSV as chunks: the header first, then one chunk per batch of rows. */
export async function* csvChunks(headers: readonly string[], rows: AsyncIterable<string[][]>, encoding: ListEncoding): AsyncGenerator<Uint8Array> {
	const line = (records: string[][]) => stringify(records, { record_delimiter: 'windows' });
	if (encoding === 'utf-8') yield BOM;
	yield encode(line([[...headers]]), encoding);
	for await (const batch of rows) yield encode(line(batch.map(safeRow)), encoding);
}
