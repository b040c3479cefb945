/**
 * The staff page downloads with a plain GET form (no JavaScript needed). When the request is
 * refused, the download endpoint sends the browser back to the page with what was wrong in a
 * short-lived cookie: our own message, never text taken from the URL.
 */
export const LIST_FLASH = 'lists_flash';

export interface ListFlash {
	message: string;
	fields: Record<string, string>;
}

export function writeFlash(f: ListFlash): string {
	return JSON.stringify(f);
}

export function readFlash(raw: string | undefined): ListFlash | null {
	if (!raw) return null;
	try {
		const v = JSON.parse(raw) as ListFlash;
		return typeof v?.message === 'string' && v.fields && typeof v.fields === 'object' ? v : null;
	} catch {
		return null;
	}
}
