/**
 * R-S01 R-O04 broken access control: a layout's check does not protect a page's own load
 * (`…/__data.json` runs it) nor its form actions (a POST runs only the action). Every load and
 * every action of a protected page checks the role itself, and bad input never becomes a 500.
 */
import { error, fail, type Action } from '@sveltejs/kit';
import { ZodError } from 'zod';
import { hasRole, type Role } from '../../domain/roles.ts';
import { isAppError } from '../errors.ts';
import type { Principal } from '../auth/session.ts';

const NEED_LOGIN = 'ログインが必要です。';
const NEED_ROLE: Record<Role, string> = {
	viewer: 'この画面を利用する権限がありません。',
	clerk: 'この操作は職員以上のみ利用できます。',
	supervisor: 'この操作は監督者以上のみ利用できます。',
	admin: 'この画面は管理者のみ利用できます。'
};

/** For loads: 401/403 through kit's error page. */
export function requirePageRole(principal: Principal | null | undefined, role: Role): Principal {
	if (!principal) error(401, NEED_LOGIN);
	if (!hasRole(principal.role, role)) error(403, NEED_ROLE[role]);
	return principal;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAction = Action<any, any, any>;

/**
 * Wraps every action of a page: the role first (401/403 before the body is read), then the action;
 * a zod or use-case error it did not catch becomes fail(4xx) with the message, never a 500.
 */
export function guardActions<A extends Record<string, AnyAction>>(role: Role, actions: A): A {
	const out: Record<string, AnyAction> = {};
	for (const [name, action] of Object.entries(actions)) {
		out[name] = async (event: Parameters<AnyAction>[0]) => {
			const p = event.locals.principal;
			if (!p) return fail(401, { message: NEED_LOGIN, errors: {} });
			if (!hasRole(p.role, role)) return fail(403, { message: NEED_ROLE[role], errors: {} });
			try {
				return await action(event);
			} catch (e) {
				if (e instanceof ZodError) return fail(400, { message: '入力内容が正しくありません。', errors: {} });
				if (isAppError(e)) return fail(e.status, { message: e.message, errors: {} });
				throw e;
			}
		};
	}
	return out as A;
}

/** For loads: a use case's refusal (403 for a location not served, 404 …) becomes kit's error page with its message. */
export async function orPageError<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
}
