import { contentDisposition } from '../../domain/lists/index.ts';
import type { ExportedList } from './export.ts';

/** The file download: a Japanese name through filename*, never cached (personal data). */
export function listResponse(list: ExportedList): Response {
	return new Response(list.body, {
		status: 200,
		headers: {
			'content-type': list.contentType,
			'content-disposition': contentDisposition(list.fileName, list.asciiFileName),
			'cache-control': 'no-store',
			'x-list-rows': String(list.rows)
		}
	});
}
