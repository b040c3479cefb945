/**
 * R-S10 R-S11 R-S13: a list for a date range (and one issuing location, or all) as CSV or PDF.
 *
 * Reading these lists is reading personal data in bulk: clerks and above only (viewers may look
 * at screens but not take names away on paper), and every export leaves an audit row
 * 'list.exported' with kind, location, range, format and row count — never a name.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireLocation, servedFilter } from '../auth/scope.ts';
import {
	LIST_SPECS,
	asciiFileName,
	checkRange,
	listFileName,
	type ListEncoding,
	type ListFormat,
	type ListKind
} from '../../domain/lists/index.ts';
import { tokyoDate, tokyoTime } from '../../domain/schedule/time.ts';
import { listQueries, type ListRow } from './query.ts';
import { openSnapshot } from './snapshot.ts';
import { cellsOf, type ShipBy } from './cells.ts';
import { csvChunks, csvContentType } from './csv.ts';
import { pdfStream } from './pdf.ts';
import { transferShipBy } from './transfer.ts';

export interface ExportInput {
	kind: ListKind;
	locationId: number | null;
	from: string;
	to: string;
	format: ListFormat;
	encoding: ListEncoding;
	ip?: string | null;
}

export interface ExportedList {
	fileName: string;
	asciiFileName: string;
	contentType: string;
	rows: number;
	body: ReadableStream<Uint8Array>;
}

function fromIterable(chunks: AsyncIterable<Uint8Array>, onCancel: () => Promise<void>): ReadableStream<Uint8Array> {
	const it = chunks[Symbol.asyncIterator]();
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { value, done } = await it.next();
				if (done) controller.close();
				else controller.enqueue(value);
			} catch (e) {
				controller.error(e);
			}
		},
		async cancel() {
			await it.return?.();
			await onCancel();
		}
	});
}

export async function exportList(ctx: AppContext, principal: Principal | null, input: ExportInput): Promise<ExportedList> {
	const staff = requireRole(principal, 'clerk');
	const bad = checkRange(input.from, input.to);
	if (bad) throw new AppError('bad_request', bad.message, { errors: [bad] });
	let locationName = '';
	if (input.locationId !== null) {
		const loc = await ctx.db.models.Location.findByPk(input.locationId);
		if (!loc) throw new AppError('bad_request', '指定された交付場所が見つかりません。', { errors: [{ field: 'locationId', message: '指定された交付場所が見つかりません。' }] });
		locationName = loc.nameJa;
		// R-S01: a list of a location not served is refused; the transfer list of one is allowed
		// (its cards may be stored at a served location) and shows only the rows that concern one.
		if (input.kind !== 'transfer') await requireLocation(ctx, staff, input.locationId);
	}
	const served = servedFilter(staff);
	const [city] = await ctx.db.sequelize.query<{ city_name_ja: string }>(`SELECT city_name->>'ja' AS city_name_ja FROM city_settings WHERE id = 1`, { type: QueryTypes.SELECT });
	const shipBy: ShipBy = input.kind === 'transfer' ? await transferShipBy(ctx.db) : () => '';

	const spec = LIST_SPECS[input.kind];
	const snapshot = await openSnapshot<ListRow>(ctx.db, listQueries({ ...input, served }));
	try {
		await audit(ctx, {
			actorType: 'staff',
			actorId: staff.login,
			action: 'list.exported',
			targetType: 'list',
			targetId: input.kind,
			detail: { kind: input.kind, locationId: input.locationId, from: input.from, to: input.to, format: input.format, encoding: input.format === 'csv' ? input.encoding : null, rows: snapshot.count },
			ip: input.ip
		});
	} catch (e) {
		await snapshot.close();
		throw e;
	}

	async function* cells(): AsyncGenerator<string[][]> {
		for await (const batch of snapshot.batches()) yield batch.map((r) => cellsOf(input.kind, r, shipBy));
	}

	const now = ctx.now();
	const headers = spec.columns.map((c) => c.header);
	let body: ReadableStream<Uint8Array>;
	if (input.format === 'csv') {
		body = fromIterable(csvChunks(headers, cells(), input.encoding), snapshot.close);
	} else {
		const pdf = pdfStream({
			meta: {
				title: spec.titleJa,
				cityName: city?.city_name_ja ?? '',
				subtitle: `交付場所: ${locationName || 'すべての交付場所'}　期間: ${input.from === input.to ? input.from : `${input.from} 〜 ${input.to}`}　件数: ${snapshot.count}件`,
				printedAt: `${tokyoDate(now)} ${tokyoTime(now)}`
			},
			columns: spec.columns,
			totalRows: snapshot.count,
			rows: cells(),
			groupColumn: input.kind === 'pull' || input.kind === 'transfer' ? 0 : undefined
		});
		pdf.done.catch((err) => ctx.log.error({ err, list: input.kind }, 'list PDF failed'));
		pdf.done.then(snapshot.close, snapshot.close);
		body = pdf.stream;
	}
	return {
		fileName: listFileName(input.kind, locationName, input.from, input.to, input.format),
		asciiFileName: asciiFileName(input.kind, input.from, input.to, input.format),
		contentType: input.format === 'csv' ? csvContentType(input.encoding) : 'application/pdf',
		rows: snapshot.count,
		body
	};
}
