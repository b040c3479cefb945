/**
 * R-O04: control characters are refused at every boundary through one rule (domain/text-safety.ts).
 * JSON bodies are checked by readJson (web/http.ts), imports by the CSV reader; this module checks what
 * hooks.server.ts sees before any route runs: the query string of every request and the fields of
 * every form post (pages and API alike). The answer fits the caller: problem+json for the API, an
 * action error the page shows (use:enhance), a short page for a form without script.
 */
import { findControlChars } from '../../domain/text-safety.ts';
import { problem } from '../web/http.ts';

/** Forms larger than this are file uploads (CSV imports), which the import itself checks cell by cell. */
const MAX_SCANNED_FORM_BYTES = 1024 * 1024;
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function entriesOf(params: Iterable<[string, FormDataEntryValue]>): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const [k, v] of params) if (typeof v === 'string') (out[k] ??= []).push(v);
	return out;
}

async function formFields(request: Request): Promise<Record<string, string[]> | null> {
	if (request.method === 'GET' || request.method === 'HEAD') return null;
	const type = (request.headers.get('content-type') ?? '').toLowerCase();
	if (!FORM_TYPES.some((t) => type.startsWith(t))) return null;
	const length = Number(request.headers.get('content-length') ?? NaN);
	if (!Number.isFinite(length) || length > MAX_SCANNED_FORM_BYTES) return null;
	try {
		return entriesOf((await request.clone().formData()).entries());
	} catch {
		return null; // a malformed form is the route's to refuse
	}
}

export async function controlCharRefusal(request: Request, url: URL, lang: 'ja' | 'en'): Promise<Response | null> {
	const found = findControlChars(entriesOf(url.searchParams.entries())) ?? findControlChars((await formFields(request)) ?? {});
	if (!found) return null;
	const field = found.field.replace(/\.\d+$/, '');
	const message = found.problem[lang];
	if (url.pathname.startsWith('/api/')) {
		return problem(400, 'Bad Request', message, { code: 'bad_request', errors: [{ field, message }] });
	}
	if (request.headers.get('x-sveltekit-action') === 'true') {
		// An action result use:enhance understands, whatever the page: an error, which shows the
		// message on the page's error view (a failure would need each page's own `form` shape).
		const again = lang === 'en' ? ' Go back, correct the entry and send it again.' : '。前の画面に戻り、入力を直してからもう一度送信してください。';
		return new Response(JSON.stringify({ type: 'error', status: 400, error: { message: `${message}${again}`, field } }), {
			status: 400,
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
		});
	}
	const back = lang === 'en' ? 'Go back, correct the entry and send it again.' : '前の画面に戻り、入力を直してからもう一度送信してください。';
	const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${lang === 'en' ? 'Entry not accepted' : '入力を受け付けられません'}</title></head><body style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.7"><h1 style="font-size:1.3rem">${lang === 'en' ? 'Entry not accepted' : '入力を受け付けられません'}</h1><p>${message}</p><p>${back}</p></body></html>`;
	return new Response(html, { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
