/** The token of an `Authorization: Bearer …` header, or null. */
export function bearer(request: Request): string | null {
	const h = request.headers.get('authorization');
	return h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : null;
}
