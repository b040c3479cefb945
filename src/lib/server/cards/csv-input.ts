/**
 * Reading an uploaded CSV as a stream (R-S02): bytes → text (UTF-8 with or without BOM, or
 * Shift_JIS/cp932, detected from the first bytes or chosen) → records with their line number.
 * The file is never held as one string; a size limit is enforced while reading.
 */
import { pipeline, Readable, Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { parse, CsvError } from 'csv-parse';
import { AppError } from '../errors.ts';


export type CsvEncoding = 'utf-8' | 'shift_jis';
export type EncodingChoice = CsvEncoding | 'auto';

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/**
 * R-O04: caps checked while streaming, so one huge cell (a probe sent 45 MB in one) is refused at
 * its first oversize characters instead of growing a string in the parser. No field of the card or
 * reservation files comes near them (an address is the longest, a few hundred characters).
 */
export const MAX_CELL_CHARS = 1000;
export const MAX_RECORD_CHARS = 16 * 1024;
const SNIFF_BYTES = 64 * 1024;

/** Maps a charset label (Content-Type parameter or form field) to our choice; null when unknown. */
export function encodingFromLabel(label: string | null | undefined): EncodingChoice | null {
	const l = (label ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
	if (l === '' || l === 'auto') return 'auto';
	if (['utf-8', 'utf8'].includes(l)) return 'utf-8';
	if (['shift_jis', 'shift-jis', 'sjis', 'cp932', 'windows-31j', 'ms932', 'x-sjis'].includes(l)) return 'shift_jis';
	return null;
}

/** UTF-8 when the sample has a BOM or decodes cleanly (a trailing cut sequence allowed), else Shift_JIS. */
export function sniffEncoding(sample: Uint8Array): CsvEncoding {
	if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
		return 'utf-8';
	} catch {
		return 'shift_jis';
	}
}

async function* limited(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
	let total = 0;
	for await (const chunk of body) {
		total += chunk.byteLength;
		if (total > max) throw new AppError('bad_request', `ファイルが大きすぎます（${Math.round(max / 1024 / 1024)}MB まで）。分割して取り込んでください。`);
		yield chunk;
	}
}

/** Reads the first bytes to choose the encoding, then yields every chunk (the sniffed ones first). */
async function withEncoding(body: AsyncIterable<Uint8Array>, choice: EncodingChoice): Promise<{ encoding: CsvEncoding; chunks: AsyncIterable<Uint8Array> }> {
	const it = body[Symbol.asyncIterator]();
	const head: Uint8Array[] = [];
	let size = 0;
	let done = false;
	if (choice === 'auto') {
		while (size < SNIFF_BYTES) {
			const r = await it.next();
			if (r.done) {
				done = true;
				break;
			}
			head.push(r.value);
			size += r.value.byteLength;
		}
	}
	const encoding = choice === 'auto' ? sniffEncoding(Buffer.concat(head).subarray(0, SNIFF_BYTES)) : choice;
	async function* all() {
		yield* head;
		if (done) return;
		for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
	}
	return { encoding, chunks: all() };
}

/**
 * CRLF → LF before parsing. csv-parse counts a CRLF inside a quoted field as two lines, which
 * would shift every later line number; with LF only, its count matches what an editor shows.
 * A chunk ending in CR keeps it until the next chunk says whether LF follows.
 */
function crlfToLf(): Transform {
	let pendingCr = false;
	return new Transform({
		decodeStrings: false,
		transform(chunk: string, _enc, done) {
			let s = (pendingCr ? '\r' : '') + chunk;
			pendingCr = s.endsWith('\r');
			if (pendingCr) s = s.slice(0, -1);
			done(null, s.replace(/\r\n/g, '\n'));
		},
		flush(done) {
			done(null, pendingCr ? '\r' : '');
		}
	});
}

export interface CsvRecord {
	/** line in the file where the record starts (the header is line 1) */
	line: number;
	values: string[];
}

/**
 * Decodes and parses. A CSV syntax error (an unclosed quote …) becomes a 422 naming the line;
 * the decoder strips a UTF-8 BOM; cp932 covers Shift_JIS with the Windows extensions Excel writes.
 */
export async function openCsv(body: AsyncIterable<Uint8Array>, choice: EncodingChoice, max = MAX_UPLOAD_BYTES) {
	const { encoding, chunks } = await withEncoding(limited(body, max), choice);
	// pipeline: an error anywhere (the size limit in the byte source, a decoder error) destroys the
	// parser too, so the loop below throws it instead of waiting for records that never come.
	const parser = pipeline(
		Readable.from(chunks),
		iconv.decodeStream(encoding === 'utf-8' ? 'utf8' : 'cp932'),
		crlfToLf(),
		parse({ info: true, relax_column_count: true, skip_empty_lines: true, bom: true, max_record_size: MAX_RECORD_CHARS }),
		() => {}
	);
	async function* records(): AsyncGenerator<CsvRecord> {
		let header: string[] | null = null;
		try {
			for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
				const inner = record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
				const line = info.lines - inner;
				const long = record.findIndex((v) => v.length > MAX_CELL_CHARS);
				if (long >= 0) {
					const column = header?.[long]?.trim() || `${long + 1}列目`;
					const message = `値が長すぎます（${MAX_CELL_CHARS}文字まで）`;
					throw new AppError('unprocessable', `${line}行目の「${column}」の${message}`, { extra: { errors: [{ line, column, message }] } });
				}
				header ??= record;
				yield { line, values: record };
			}
		} catch (e) {
			if (e instanceof CsvError && e.code === 'CSV_MAX_RECORD_SIZE') {
				// the record's first line: csv-parse counts the lines read so far, the long record included
				const line = (e as CsvError & { lines?: number }).lines ?? 0;
				const message = `1行が長すぎます（${MAX_RECORD_CHARS.toLocaleString('ja-JP')}文字まで）`;
				throw new AppError('unprocessable', `${line}行目：${message}`, { extra: { errors: [{ line, column: null, message }] } });
			}
			if (e instanceof CsvError) {
				const line = (e as CsvError & { lines?: number }).lines ?? 0;
				throw new AppError('unprocessable', `CSV の形式が正しくありません（${line}行目）`, {
					extra: { errors: [{ line, column: null, message: 'CSV の形式が正しくありません（引用符 " の閉じ忘れなど）' }] }
				});
			}
			throw e;
		}
	}
	return { encoding, records: records() };
}
