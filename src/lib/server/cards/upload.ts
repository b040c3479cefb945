/** How an uploaded CSV arrives over HTTP: a raw text/csv body, or a multipart form with a `file` field. */
import { AppError } from '../errors.ts';
import { encodingFromLabel, type EncodingChoice } from './csv-input.ts';

export interface Upload {
	body: AsyncIterable<Uint8Array>;
	encoding: EncodingChoice;
	/** the other text fields of a multipart form */
	fields?: Record<string, string>;
}

async function* empty(): AsyncGenerator<Uint8Array> {}

/** A File (from a form) as a byte stream; the encoding from the form field `encoding`, else auto. */
export function uploadFromFile(file: unknown, encodingField: unknown): Upload {
	if (!(file instanceof File) || file.size === 0) throw new AppError('bad_request', 'CSV ファイルを選んでください。', { errors: [{ field: 'file', message: 'CSV ファイルを選んでください' }] });
	const encoding = encodingFromLabel(typeof encodingField === 'string' ? encodingField : null);
	if (!encoding) throw new AppError('bad_request', '文字コードは auto、utf-8、shift_jis のいずれかです。', { errors: [{ field: 'encoding', message: 'auto | utf-8 | shift_jis' }] });
	return { body: file.stream() as unknown as AsyncIterable<Uint8Array>, encoding };
}

/**
 * `text/csv; charset=utf-8|shift_jis` (no charset: detected), or multipart/form-data. A query
 * `?encoding=` overrides the charset. Anything else is a 415-like 400 with a clear message.
 */
export async function uploadFromRequest(request: Request, queryEncoding: string | undefined): Promise<Upload> {
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	const override = queryEncoding ? encodingFromLabel(queryEncoding) : null;
	if (type.startsWith('multipart/form-data')) {
		let form: FormData;
		try {
			form = await request.formData();
		} catch {
			throw new AppError('bad_request', 'フォームデータを読み取れません。');
		}
		const up = uploadFromFile(form.get('file'), form.get('encoding'));
		const fields: Record<string, string> = {};
		for (const [k, v] of form.entries()) if (typeof v === 'string' && k !== 'encoding') fields[k] = v;
		return { ...up, encoding: override ?? up.encoding, fields };
	}
	if (type.startsWith('text/csv') || type.startsWith('text/plain') || type.startsWith('application/octet-stream')) {
		const charset = /charset=([^;]+)/.exec(type)?.[1];
		const fromHeader = encodingFromLabel(charset);
		if (!fromHeader) throw new AppError('bad_request', `対応していない文字コードです（${charset}）。UTF-8 か Shift_JIS を使ってください。`);
		const body = (request.body as unknown as AsyncIterable<Uint8Array> | null) ?? empty();
		return { body, encoding: override ?? fromHeader };
	}
	throw new AppError('bad_request', 'Content-Type は text/csv（charset=utf-8 または shift_jis）か multipart/form-data にしてください。', {
		errors: [{ field: '(body)', message: 'expected text/csv or multipart/form-data' }]
	});
}
