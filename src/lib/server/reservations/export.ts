/**
 * R-S09: a reservation search result as a file — CSV for Excel (UTF-8 with BOM or Shift_JIS,
 * through the lists' CSV helpers) or .xlsx (exceljs: typed cells, a Japanese sheet name and
 * headers, the header row frozen). One row per person of a booking. Every export leaves an
 * audit row with the filters and the row count, never a name or the search term.
 */
import ExcelJS from 'exceljs';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { CARD_STATUS_LABELS } from '../../domain/card-status.ts';
import { contentDisposition } from '../../domain/lists/index.ts';
import { csvChunks, csvContentType } from '../lists/csv.ts';
import { selectReservations, type FoundReservation, type ReservationSearch } from './search.ts';

/** More bookings than this in one file are refused: narrow the search (a quarter of a busy hall fits). */
export const MAX_RESERVATION_EXPORT = 20_000;
const PAGE = 1000;

export const RESERVATION_EXPORT_HEADER = ['予約番号', '来庁日', '開始時刻', '終了時刻', '交付場所', '予約の状態', '人数', '来庁受付', '順', '氏名カナ', '交付通知書番号', 'カードの状態'];

export const RESERVATION_STATUS_JA: Record<string, string> = { active: '有効', cancelled: '取消済み', no_show: '未来庁', completed: '完了' };

const hhmm = (iso: string) => iso.slice(11, 16);
/** An ISO time with +09:00 → the same wall-clock time as a Date Excel shows unchanged (it has no zones). */
const wallClock = (iso: string) => new Date(`${iso.slice(0, 19)}Z`);
const dayOf = (date: string) => new Date(`${date}T00:00:00Z`);

type Cell = string | number | Date | null;

function rowsOf(r: FoundReservation): Cell[][] {
	const persons = r.persons.length ? r.persons : [null];
	return persons.map((p, i) => [
		r.bookingNumber,
		dayOf(r.date),
		hhmm(r.startsAt),
		hhmm(r.endsAt),
		r.locationNameJa,
		RESERVATION_STATUS_JA[r.status] ?? r.status,
		r.partySize,
		r.checkedInAt ? wallClock(r.checkedInAt) : null,
		p ? i + 1 : null,
		p?.nameKana ?? '',
		p?.noticeId ?? '',
		p ? CARD_STATUS_LABELS[p.status]?.ja ?? p.status : ''
	]);
}

const pad = (n: number) => String(n).padStart(2, '0');
function csvText(c: Cell): string {
	if (c === null) return '';
	if (c instanceof Date) {
		const d = `${c.getUTCFullYear()}/${pad(c.getUTCMonth() + 1)}/${pad(c.getUTCDate())}`;
		return c.getUTCHours() || c.getUTCMinutes() ? `${d} ${pad(c.getUTCHours())}:${pad(c.getUTCMinutes())}` : d;
	}
	return String(c);
}

export interface ReservationExport {
	body: ReadableStream<Uint8Array> | Uint8Array;
	contentType: string;
	contentDisposition: string;
	rows: number;
}

export async function exportReservations(
	ctx: AppContext,
	principal: Principal | null,
	input: { query: Omit<ReservationSearch, 'limit' | 'offset'>; format: 'csv' | 'xlsx'; encoding: 'utf-8' | 'shift_jis'; ip?: string | null }
): Promise<ReservationExport> {
	const staff = requireRole(principal, 'viewer');
	const first = await selectReservations(ctx, staff, { ...input.query, limit: PAGE, offset: 0 });
	if (first.total > MAX_RESERVATION_EXPORT)
		throw new AppError('unprocessable', `出力できるのは${MAX_RESERVATION_EXPORT.toLocaleString('ja-JP')}件までです（${first.total.toLocaleString('ja-JP')}件が該当）。期間や条件を絞ってください。`);
	const bookings = [...first.rows];
	for (let offset = PAGE; offset < first.total; offset += PAGE) {
		const page = await selectReservations(ctx, staff, { ...input.query, limit: PAGE, offset });
		if (!page.rows.length) break;
		bookings.push(...page.rows);
	}
	const rows = bookings.flatMap(rowsOf);
	await audit(ctx, {
		actorType: 'staff',
		actorId: staff.login,
		action: 'reservations.exported',
		targetType: 'reservation',
		detail: {
			term: first.term,
			locationId: input.query.locationId ?? null,
			date: input.query.date ?? null,
			from: input.query.from ?? null,
			to: input.query.to ?? null,
			status: input.query.status ?? null,
			format: input.format,
			encoding: input.format === 'csv' ? input.encoding : null,
			bookings: bookings.length,
			rows: rows.length
		},
		ip: input.ip
	});
	const now = new Date(ctx.now().getTime() + 9 * 3600_000);
	const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
	const ascii = `reservations-${stamp}.${input.format}`;
	const disposition = contentDisposition(`予約検索結果_${stamp}.${input.format}`, ascii);
	if (input.format === 'csv') {
		async function* batches() {
			yield rows.map((r) => r.map(csvText));
		}
		const it = csvChunks(RESERVATION_EXPORT_HEADER, batches(), input.encoding);
		const body = new ReadableStream<Uint8Array>({
			async pull(controller) {
				const { value, done } = await it.next();
				if (done) controller.close();
				else controller.enqueue(value);
			}
		});
		return { body, contentType: csvContentType(input.encoding), contentDisposition: disposition, rows: rows.length };
	}
	const wb = new ExcelJS.Workbook();
	wb.creator = 'マイナンバーカード交付予約';
	wb.created = now;
	const ws = wb.addWorksheet('予約検索結果', { views: [{ state: 'frozen', ySplit: 1 }] });
	const widths = [12, 12, 9, 9, 18, 10, 6, 17, 5, 22, 16, 14];
	ws.columns = RESERVATION_EXPORT_HEADER.map((header, i) => ({ header, key: `c${i}`, width: widths[i] }));
	ws.getRow(1).font = { bold: true };
	ws.getColumn(2).numFmt = 'yyyy/mm/dd';
	ws.getColumn(8).numFmt = 'yyyy/mm/dd hh:mm';
	ws.getColumn(7).numFmt = '0';
	ws.getColumn(9).numFmt = '0';
	for (const r of rows) ws.addRow(r);
	ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: RESERVATION_EXPORT_HEADER.length } };
	const buf = await wb.xlsx.writeBuffer();
	return {
		body: new Uint8Array(buf as ArrayBuffer),
		contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
		contentDisposition: disposition,
		rows: rows.length
	};
}
