import { json } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError, isAppError, type FieldError } from '../errors.ts';
import { findControlChars } from '../../domain/text-safety.ts';

/** RFC 9457 problem+json. `errors` names each bad field so clients can show it beside the input. */
export function problem(status: number, title: string, detail?: string, extra: Record<string, unknown> = {}): Response {
	return new Response(JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra }), {
		status,
		headers: { 'content-type': 'application/problem+json; charset=utf-8' }
	});
}

const TITLES: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	409: 'Conflict',
	422: 'Unprocessable Content',
	423: 'Locked',
	410: 'Gone',
	413: 'Content Too Large',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	503: 'Service Unavailable'
};

export function problemFromError(e: unknown, lang: 'ja' | 'en' = 'ja'): Response {
	if (isAppError(e)) {
		const res = problem(e.status, TITLES[e.status] ?? 'Error', lang === 'en' && e.en ? e.en : e.message, {
			code: e.code,
			...(e.errors.length ? { errors: e.errors } : {}),
			...e.extra
		});
		// R-C14 / R-C13: tell clients when to come back
		const retry = e.extra.retryAfter;
		if ((e.status === 429 || e.status === 503) && typeof retry === 'number') res.headers.set('Retry-After', String(Math.max(1, Math.ceil(retry))));
		return res;
	}
	throw e;
}

export function zodFieldErrors(error: z.ZodError): FieldError[] {
	return error.issues.map((i) => ({
		field: i.path.length ? i.path.join('.') : ((i as { keys?: string[] }).keys?.join(',') ?? '(body)'),
		message: i.code === 'unrecognized_keys' ? `unknown field: ${(i as { keys: string[] }).keys.join(', ')}` : i.message
	}));
}

/** Parses with a zod schema, or throws a 400 AppError that names every bad field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what = 'request'): z.infer<T> {
	const r = schema.safeParse(value);
	if (!r.success) {
		const errors = zodFieldErrors(r.error);
		throw new AppError('bad_request', `Invalid ${what}: ${errors.map((e) => e.field).join(', ')}`, { errors });
	}
	return r.data;
}

/** Reads a JSON body: malformed JSON and a wrong content type are 400s, never 500s. */
export async function readJson<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
	const type = request.headers.get('content-type') ?? '';
	if (!type.includes('application/json')) {
		throw new AppError('bad_request', 'Content-Type must be application/json', { errors: [{ field: '(body)', message: 'expected application/json' }] });
	}
	let body: unknown;
	let text: string;
	try {
		text = await request.text();
	} catch {
		throw new AppError('bad_request', 'Malformed JSON body', { errors: [{ field: '(body)', message: 'unreadable body' }] });
	}
	// R-O04: a JSON body is small; only the file uploads (not JSON) may be large
	if (text.length > 512 * 1024) throw new AppError('too_large', '送信されたデータが大きすぎます。', { en: 'The request is too large.' });
	try {
		body = JSON.parse(text);
	} catch {
		throw new AppError('bad_request', 'Malformed JSON body', { errors: [{ field: '(body)', message: 'malformed JSON' }] });
	}
	// R-O04: control characters, and line breaks in one-line fields, are refused in any field
	const controls = findControlChars(body);
	if (controls) throw new AppError('bad_request', controls.problem.ja, { en: controls.problem.en, errors: [{ field: controls.field, message: controls.problem.ja }] });
	return parseWith(schema, body, 'body');
}

export function searchParams(url: URL): Record<string, string> {
	return Object.fromEntries(url.searchParams.entries());
}

/** Wraps an endpoint body: AppErrors become problem+json, anything else is a 500 handled by kit's handleError. */
export async function api(run: () => Promise<Response>, lang: 'ja' | 'en' = 'ja'): Promise<Response> {
	try {
		return await run();
	} catch (e) {
		return problemFromError(e, lang);
	}
}

export { json };
