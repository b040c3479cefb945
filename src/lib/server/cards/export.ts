/**
 * R-S09: the search result as CSV for Excel — UTF-8 with BOM or Shift_JIS (cp932) — written
 * page by page through csv-stringify and iconv-lite, so a large result is never one string.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import iconv from 'iconv-lite';
import type { AppContext } from '../context.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { CARD_STATUS_LABELS } from '../../domain/card-status.ts';
import { cardCount, cardPage, scopeCardQuery, type CardQuery } from './search.ts';
import type { CsvEncoding } from './csv-input.ts';
import { safeRow } from '../files/cells.ts';

export const MAX_EXPORT_ROWS = 100_000;
const PAGE = 5000;

export const EXPORT_HEADER = ['交付通知書番号', '生年月日', '氏名', '氏名カナ', '状態', '保管場所', '保管位置', '予約番号', '来庁日', '来庁時刻', '交付場所'];

const tokyoTime = (iso: string) => new Date(iso).toLocaleTimeString('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' });

export async function exportCards(
	ctx: AppContext,
	principal: Principal | null,
	input: { query: Omit<CardQuery, 'limit' | 'offset'>; encoding: CsvEncoding; ip?: string | null }
): Promise<{ stream: ReadableStream<Uint8Array>; rows: number; filename: string }> {
	const staff = requireRole(principal, 'viewer');
	const query = await scopeCardQuery(ctx, staff, input.query);
	const total = Math.min(await cardCount(ctx, query), MAX_EXPORT_ROWS);
	const names = new Map((await ctx.db.models.Location.findAll({ attributes: ['id', 'nameJa'] })).map((l) => [l.id, l.nameJa]));
	// Exports carry personal data: who exported how many rows is in the 操作ログ (never the rows themselves).
	await audit(ctx, { actorType: 'staff', actorId: staff.login, action: 'cards.exported', targetType: 'card', detail: { rows: total, encoding: input.encoding }, ip: input.ip });
	async function* records() {
		yield EXPORT_HEADER;
		for (let offset = 0; offset < total; offset += PAGE) {
			const page = await cardPage(ctx, { ...query, limit: Math.min(PAGE, total - offset), offset });
			for (const c of page) {
				yield safeRow([
					c.noticeId,
					c.birthDate.replaceAll('-', '/'),
					c.nameKanji,
					c.nameKana,
					CARD_STATUS_LABELS[c.status].ja,
					names.get(c.storageLocationId) ?? '',
					c.boxPosition,
					c.reservation?.bookingNumber ?? '',
					c.reservation?.date.replaceAll('-', '/') ?? '',
					c.reservation ? tokyoTime(c.reservation.startsAt) : '',
					c.reservation ? (names.get(c.reservation.locationId) ?? '') : ''
				]);
			}
			if (page.length === 0) break;
		}
	}
	const csv = Readable.from(records()).pipe(stringify({ record_delimiter: '\r\n', bom: input.encoding === 'utf-8' }));
	const bytes = (input.encoding === 'utf-8' ? csv : csv.setEncoding('utf8').pipe(iconv.encodeStream('cp932'))) as Readable;
	csv.on('error', (e) => bytes.destroy(e));
	const day = new Date(ctx.now().getTime() + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
	return { stream: Readable.toWeb(bytes) as ReadableStream<Uint8Array>, rows: total, filename: `cards-${day}.csv` };
}
