/**
 * R-S02/R-S03: import card creation data (カード作成情報). Every row is validated while the file
 * streams in; if any row is bad, all errors come back with their line numbers and nothing is
 * written. Otherwise one transaction writes everything: new cards are created, changed cards are
 * updated with a card_record_changes row each, equal cards are left alone (re-importing the same
 * file changes nothing). Who may import: clerk and above.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { servedFilter } from '../auth/scope.ts';
import { tokyoDateOf } from '../../domain/dates.ts';
import { cardKey, IMPORT_COLUMNS, mapHeader, validateRow, type CardRow, type OptionalField } from '../../domain/cards/import-row.ts';
import { openCsv, type CsvEncoding, type EncodingChoice } from './csv-input.ts';
import { controlCharProblem } from '../../domain/text-safety.ts';
import { writeImport } from './import-write.ts';

export interface ImportError {
	line: number;
	column: string | null;
	message: string;
}

export interface ImportResult {
	created: number;
	updated: number;
	unchanged: number;
	rows: number;
	encoding: CsvEncoding;
	/** header names the import does not know; their values are ignored */
	unknownColumns: string[];
}

/** Import columns whose cells may span lines (Excel's Alt+Enter in an address); every other cell is one line. */
const MULTILINE_COLUMNS = new Set(['住所']);

/**
 * Text that did not decode, or that holds control characters (R-O04: the one rule of
 * domain/text-safety.ts; NUL Postgres cannot even store): reported per row with its column, never a 500.
 */
export function unreadableCell(values: readonly string[], headerNames: readonly string[]): { column: string | null; message: string } | null {
	if (values.some((v) => v.includes('\uFFFD'))) return { column: null, message: '文字コードを読み取れない文字があります（UTF-8 か Shift_JIS で保存してください）' };
	for (const [i, v] of values.entries()) {
		const column = headerNames[i]?.trim() || null;
		const problem = controlCharProblem(v, column !== null && MULTILINE_COLUMNS.has(column));
		if (problem) return { column, message: problem.ja };
	}
	return null;
}

/** At most this many errors are returned (the total is given too): enough to fix a file, small enough to show. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ValidatedFile {
	rows: CardRow[];
	present: Record<OptionalField, boolean>;
	encoding: CsvEncoding;
	unknownColumns: string[];
}

/** R-S01: a row a clerk may not import, because the card is (or would be) stored at a location they do not serve. */
export const NOT_SERVED_STORAGE = '担当していない交付場所の保管場所です（担当する場所のカードだけ取り込めます）';
export const STORED_ELSEWHERE = 'このカードは担当していない交付場所に保管されています（担当する場所のカードだけ取り込めます）';

/**
 * Streams the file through the row rules; throws a 422 with every error (up to the cap) when any row
 * is bad. `served`: the locations the importing clerk serves (null: every location).
 */
export async function readCardFile(ctx: AppContext, body: AsyncIterable<Uint8Array>, choice: EncodingChoice, served: readonly number[] | null = null): Promise<ValidatedFile> {
	const locations = (await ctx.db.models.Location.findAll({ attributes: ['id', 'code', 'nameJa'] })).map((l) => ({ id: l.id, code: l.code, nameJa: l.nameJa }));
	const rules = { locations, today: tokyoDateOf(ctx.now()) };
	const { encoding, records } = await openCsv(body, choice);
	const errors: ImportError[] = [];
	let errorCount = 0;
	const fail = (e: ImportError) => {
		errorCount++;
		if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
	};
	const rows: CardRow[] = [];
	const seen = new Map<string, number>();
	let header: ReturnType<typeof mapHeader> | null = null;
	let headerNames: readonly string[] = [];
	let width = 0;
	for await (const rec of records) {
		if (!header) {
			header = mapHeader(rec.values);
			headerNames = rec.values;
			width = rec.values.length;
			for (const e of header.errors) fail({ line: rec.line, ...e });
			if (header.errors.length) break; // without the columns no row can be read
			continue;
		}
		const unreadable = unreadableCell(rec.values, headerNames);
		if (unreadable) {
			fail({ line: rec.line, ...unreadable });
			continue;
		}
		if (rec.values.length !== width) {
			fail({ line: rec.line, column: null, message: `列の数（${rec.values.length}）が見出しの列の数（${width}）と違います` });
			continue;
		}
		const r = validateRow(rec.values, header, rules);
		if (!r.ok) {
			for (const e of r.errors) fail({ line: rec.line, ...e });
			continue;
		}
		if (served && !served.includes(r.row.storageLocationId)) {
			fail({ line: rec.line, column: '保管場所', message: NOT_SERVED_STORAGE });
			continue;
		}
		const key = cardKey(r.row);
		const first = seen.get(key);
		if (first !== undefined) {
			fail({ line: rec.line, column: '交付通知書番号', message: `交付通知書番号と生年月日が ${first}行目 と同じです（重複）` });
			continue;
		}
		seen.set(key, rec.line);
		rows.push(r.row);
	}
	if (!header) fail({ line: 1, column: null, message: 'ファイルが空です（1行目に見出しが必要です）' });
	else if (errorCount === 0 && rows.length === 0) fail({ line: 2, column: null, message: 'データの行がありません' });
	const unknownColumns = header?.unknown ?? [];
	// R-S01: nor may the file move a card that is now stored where the clerk does not serve
	if (served && rows.length) {
		const elsewhere = await ctx.db.sequelize.query<{ notice_id: string; birth_date: string }>(
			`SELECT c.notice_id, c.birth_date::text AS birth_date FROM card_records c
			   JOIN unnest(ARRAY[:ids]::text[], ARRAY[:births]::date[]) AS f(notice_id, birth_date) ON c.notice_id = f.notice_id AND c.birth_date = f.birth_date
			  WHERE c.storage_location_id NOT IN (:served)`,
			{ replacements: { ids: rows.map((r) => r.noticeId), births: rows.map((r) => r.birthDate), served }, type: QueryTypes.SELECT }
		);
		for (const c of elsewhere) fail({ line: seen.get(cardKey({ noticeId: c.notice_id, birthDate: c.birth_date }))!, column: '交付通知書番号', message: STORED_ELSEWHERE });
		errors.sort((a, b) => a.line - b.line);
	}
	if (errorCount > 0) {
		throw new AppError('unprocessable', `取り込めません: ${errorCount}件の誤りがあります。何も登録していません。`, {
			extra: { errors, errorCount, unknownColumns, encoding }
		});
	}
	const has = (k: OptionalField) => header!.index[k] !== undefined;
	return { rows, present: { gender: has('gender'), address: has('address'), boxPosition: has('boxPosition'), noticeSentOn: has('noticeSentOn') }, encoding, unknownColumns };
}

export async function importCards(
	ctx: AppContext,
	principal: Principal | null,
	input: { body: AsyncIterable<Uint8Array>; encoding: EncodingChoice; ip?: string | null }
): Promise<ImportResult> {
	const staff = requireRole(principal, 'clerk');
	const file = await readCardFile(ctx, input.body, input.encoding, servedFilter(staff));
	const counts = await writeImport(ctx, file, { login: staff.login, ip: input.ip ?? null });
	return { ...counts, rows: file.rows.length, encoding: file.encoding, unknownColumns: file.unknownColumns };
}

/** The sample file offered for download: the header in the order of DESIGN.md and two example rows. */
export function sampleCsv(storage: { code: string; nameJa: string } | null): string {
	const place = storage?.nameJa ?? '市役所本庁舎';
	const lines = [
		IMPORT_COLUMNS.map((c) => c.header).join(','),
		`A-1234-5678,見本 太郎,ミホン タロウ,昭和60年1月2日,男,見本市中央町1-2-3,${place},箱1-001,2026/11/20`,
		`A-1234-5679,見本 花子,ミホン ハナコ,1988/04/15,女,見本市中央町1-2-3,${storage?.code ?? place},箱1-002,2026-11-20`
	];
	return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
