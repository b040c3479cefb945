/**
 * What the manage pages share on the server: the token read from the route, a not-found that
 * renders the manage 404 page in the visitor's language, and an AppError mapped to what a form
 * action returns (R-C10, R-C01: a readable message, never a 500).
 */
import { error, fail } from '@sveltejs/kit';
import { manageTokenParam } from './schemas.ts';
import { isAppError } from '../errors.ts';
import { t, type Lang } from '../../i18n.ts';

/** The token from the URL, or the manage 404 page for anything that cannot be one. */
export function tokenOf(params: { token: string }, lang: Lang): string {
	const r = manageTokenParam.safeParse(params.token);
	if (!r.success) error(404, t(lang).manageNotFound);
	return r.data;
}

/** Runs a page load; a not-found token becomes the 404 page. */
export async function orNotFound<T>(lang: Lang, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (e) {
		if (isAppError(e) && e.status === 404) error(404, t(lang).manageNotFound);
		throw e;
	}
}

/** For form actions: an AppError becomes fail(status, {message}) in the visitor's language. */
export async function actionResult<T, E extends Record<string, unknown> = Record<never, never>>(lang: Lang, work: () => Promise<T>, extra: E = {} as E) {
	try {
		return { ok: true as const, value: await work() };
	} catch (e) {
		if (!isAppError(e)) throw e;
		const message = lang === 'en' && e.en ? e.en : e.message;
		return { ok: false as const, failure: fail(e.status, { ...extra, message, reason: typeof e.extra.reason === 'string' ? e.extra.reason : null }) };
	}
}

export const manageHref = (token: string, changed?: 'moved' | 'cancelled' | 'person_added') => `/manage/${token}${changed ? `?changed=${changed}` : ''}`;
