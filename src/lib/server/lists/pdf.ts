/**
 * The printed lists (R-S10, R-S11, R-S13): A4 landscape, Noto Sans JP embedded, on every page the
 * title, the city's name, the location and range, the date and time printed and "n / N".
 *
 * Every row is one line (long text is shortened with …), so the number of pages is known from
 * the row count before the first row is drawn: page numbers are written as pages are made and the
 * PDF goes out while rows are still being read.
 */
import PDFDocument from 'pdfkit';
import { Readable } from 'node:stream';
import { pageCount, type ListColumn } from '../../domain/lists/index.ts';
import { japaneseFonts } from './font.ts';

export interface PdfMeta {
	title: string;
	cityName: string;
	/** e.g. '交付場所: 本庁舎　期間: 2026-11-25〜2026-11-30　件数: 12件' */
	subtitle: string;
	printedAt: string;
}

const MARGIN = 28;
const FONT_SIZE = 9;
const PAGE = { width: 841.89, height: 595.28 }; // A4 landscape, points
const HEADER_TOP = MARGIN;
const TABLE_TOP = MARGIN + 52;
const ROW_H = 17;
const FOOTER_H = 22;
export const ROWS_PER_PAGE = Math.floor((PAGE.height - TABLE_TOP - ROW_H - MARGIN - FOOTER_H) / ROW_H);

/** Shortens `text` with … until it fits `width` at the current font. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
	// No glyph of Noto Sans JP is wider than 1 em: short text fits without measuring (measuring is the slow part).
	if (text.length * FONT_SIZE <= width) return text;
	if (doc.widthOfString(text) <= width) return text;
	const chars = [...text];
	let lo = 0;
	let hi = chars.length;
	while (lo < hi) {
		const mid = Math.ceil((lo + hi) / 2);
		if (doc.widthOfString(chars.slice(0, mid).join('') + '…') <= width) lo = mid;
		else hi = mid - 1;
	}
	return chars.slice(0, lo).join('') + '…';
}

export interface PdfInput {
	meta: PdfMeta;
	columns: readonly ListColumn[];
	totalRows: number;
	rows: AsyncIterable<string[][]>;
	/** draw a stronger rule where this column's value changes (the pull list's storage locations) */
	groupColumn?: number;
}

export function pdfStream(input: PdfInput): { stream: ReadableStream<Uint8Array>; done: Promise<void> } {
	const fonts = japaneseFonts();
	const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 0 }, autoFirstPage: false, info: { Title: input.meta.title, Creator: input.meta.cityName } });
	doc.registerFont('jp', fonts.regular);
	doc.registerFont('jp-bold', fonts.bold);
	const usable = PAGE.width - MARGIN * 2;
	const total = input.columns.reduce((a, c) => a + c.width, 0);
	const widths = input.columns.map((c) => (c.width / total) * usable);
	const xs = widths.map((_, i) => MARGIN + widths.slice(0, i).reduce((a, w) => a + w, 0));
	const pages = pageCount(input.totalRows, ROWS_PER_PAGE);
	let page = 0;
	let y = 0;
	let onPage = 0;

	const cellRow = (cells: readonly string[], top: number, bold = false) => {
		doc.font(bold ? 'jp-bold' : 'jp').fontSize(FONT_SIZE).fillColor('#000');
		cells.forEach((v, i) => {
			doc.text(fit(doc, v, widths[i] - 6), xs[i] + 3, top + 3.5, { lineBreak: false });
		});
	};

	const newPage = () => {
		doc.addPage();
		page++;
		onPage = 0;
		const m = input.meta;
		doc.font('jp-bold').fontSize(15).fillColor('#000').text(m.title, MARGIN, HEADER_TOP, { lineBreak: false });
		doc.font('jp').fontSize(10).text(m.cityName, MARGIN, HEADER_TOP + 2, { width: usable, align: 'right', lineBreak: false });
		doc.fontSize(9).text(m.subtitle, MARGIN, HEADER_TOP + 24, { lineBreak: false });
		doc.text(`出力日時: ${m.printedAt}`, MARGIN, HEADER_TOP + 24, { width: usable, align: 'right', lineBreak: false });
		doc.rect(MARGIN, TABLE_TOP, usable, ROW_H).fill('#e3e8ee');
		cellRow(input.columns.map((c) => c.header), TABLE_TOP, true);
		doc.moveTo(MARGIN, TABLE_TOP + ROW_H).lineTo(MARGIN + usable, TABLE_TOP + ROW_H).lineWidth(0.8).stroke('#555');
		doc.font('jp').fontSize(9).fillColor('#000').text(`${page} / ${pages}`, MARGIN, PAGE.height - MARGIN - 10, { width: usable, align: 'center', lineBreak: false });
		y = TABLE_TOP + ROW_H;
	};

	let previousGroup: string | undefined;
	const drawRow = (cells: string[]) => {
		if (page === 0 || onPage === ROWS_PER_PAGE) newPage();
		if (onPage % 2 === 1) doc.rect(MARGIN, y, usable, ROW_H).fill('#f4f6f8');
		cellRow(cells, y);
		const group = input.groupColumn === undefined ? undefined : cells[input.groupColumn];
		if (onPage > 0 && previousGroup !== undefined && group !== previousGroup) {
			doc.moveTo(MARGIN, y).lineTo(MARGIN + usable, y).lineWidth(1.2).stroke('#222');
		}
		previousGroup = group;
		y += ROW_H;
		onPage++;
		doc.moveTo(MARGIN, y).lineTo(MARGIN + usable, y).lineWidth(0.4).stroke('#c8cfd6');
	};

	const done = (async () => {
		try {
			for await (const batch of input.rows) {
				if (doc.destroyed) return;
				for (const cells of batch) drawRow(cells);
			}
			if (page === 0) {
				newPage();
				doc.font('jp').fontSize(10).fillColor('#000').text('該当するデータはありません。', MARGIN + 4, y + 8, { lineBreak: false });
			}
			doc.end();
		} catch (e) {
			doc.destroy(e as Error);
			throw e;
		}
	})();
	done.catch(() => {});
	return { stream: Readable.toWeb(doc) as unknown as ReadableStream<Uint8Array>, done };
}
