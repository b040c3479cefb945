import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { api, json, readJson } from '$lib/server/web/http.ts';
import { checkInCodeBody } from '$lib/server/checkin/schemas.ts';
import { checkInByCode } from '$lib/server/checkin/checkin.ts';

/** R-S15: what a USB QR reader typed → the booking, marked 来庁 when it is today (clerk+). */
export const POST: RequestHandler = ({ request, locals, getClientAddress }) =>
	api(async () => {
		const { code } = await readJson(request, checkInCodeBody);
		return json(await checkInByCode(appContext(), locals.principal, { code, ip: getClientAddress() }));
	});
