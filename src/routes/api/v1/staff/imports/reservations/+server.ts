import type { RequestHandler } from './$types';
import { z } from 'zod';
import { appContext } from '$lib/server/context.ts';
import { api, json, parseWith, searchParams } from '$lib/server/web/http.ts';
import { requireRole } from '$lib/server/auth/session.ts';
import { uploadFromRequest } from '$lib/server/cards/upload.ts';
import { importReservations } from '$lib/server/cards/import-reservations.ts';

const query = z.strictObject({ encoding: z.enum(['auto', 'utf-8', 'shift_jis']).optional(), overrideReason: z.string().trim().max(500).optional() });

/**
 * R-S16: reservations taken before go-live (CSV, one row per person). 200 {reservations, persons,
 * overCapacity}, or 422 with every error by line; over-capacity rows only by a supervisor with
 * `overrideReason` (query, or a form field of that name).
 */
export const POST: RequestHandler = ({ request, url, locals, getClientAddress }) =>
	api(async () => {
		requireRole(locals.principal, 'clerk');
		const q = parseWith(query, searchParams(url), 'query');
		const { fields, ...upload } = await uploadFromRequest(request, q.encoding);
		const reason = q.overrideReason ?? fields?.overrideReason?.trim().slice(0, 500) ?? null;
		return json(await importReservations(appContext(), locals.principal, { ...upload, overrideReason: reason, ip: getClientAddress() }));
	});
