import type { Handle, HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { appContext } from '$lib/server/context.ts';
import { isDatabaseUnavailable } from '$lib/server/security/web.ts';
import { handleCacheHeaders, handleDatabaseDown, handleSecurityHeaders } from '$lib/server/web/handles/response.ts';
import { handleLanguage } from '$lib/server/web/handles/language.ts';
import { handleCitizenRate, handleControlChars, handleCrossSite, handleFormBody, handleStaffNetwork } from '$lib/server/web/handles/requests.ts';
import { handlePasswordChange, handleSessions, handleStaffSignIn } from '$lib/server/web/handles/sessions.ts';
import { handleMaintenance } from '$lib/server/web/handles/maintenance.ts';

/**
 * Every request passes these in order, one job each (src/lib/server/web/handles/); the first that
 * answers ends it. The two outermost wrap every answer, early refusals included.
 */
export const handle: Handle = sequence(
	handleSecurityHeaders,
	handleDatabaseDown,
	handleLanguage,
	handleStaffNetwork,
	handleFormBody,
	handleCrossSite,
	handleControlChars,
	handleCitizenRate,
	handleSessions,
	handleStaffSignIn,
	handlePasswordChange,
	handleMaintenance,
	handleCacheHeaders
);

export const handleError: HandleServerError = ({ error, event, status }) => {
	// Only the route and the error's own message are logged: never bodies, cookies or query strings.
	const ctx = appContext();
	if (isDatabaseUnavailable(error)) {
		// answered as 503 by the handle hook; one line without the stack
		event.locals.databaseDown = true;
		ctx.log.warn({ route: event.route.id, method: event.request.method }, 'database unavailable');
	} else if (status >= 500) ctx.log.error({ err: error, route: event.route.id, method: event.request.method }, 'request failed');
	// a client's mistake kit answered itself (415 for a body that is no form, 405, 400): no error, no stack
	else if (status !== 404) ctx.log.info({ route: event.route.id, method: event.request.method, status }, 'request refused');
	const en = event.locals.lang === 'en';
	return {
		message: status === 404 ? (en ? 'Page not found.' : 'ページが見つかりません。') : en ? 'An error occurred on the server.' : 'サーバーでエラーが発生しました。',
		code: String(status)
	};
};
