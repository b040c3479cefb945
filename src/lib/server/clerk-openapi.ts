/** OpenAPI entries of the clerk's endpoints (R-S03, R-S09, R-S01); spread into OPS in ./openapi.ts. */
import { z } from 'zod';
import type { Op } from './openapi.ts';
import { idParam } from './schemas.ts';
import { cardStorageBody } from './cards/storage.ts';
import { transferMarkBody } from './cards/transfers.ts';
import { reservationExportQuery } from './checkin/schemas.ts';
import { passwordChangeBody } from './auth/password.ts';

export const CLERK_OPS: Op[] = [
	{
		method: 'put',
		path: '/api/v1/staff/cards/{id}/storage',
		summary: '保管場所 and 保管位置 of one card, changed by staff; kept in the card history (source staff) and audited (R-S03)',
		tag: 'cards',
		auth: 'clerk',
		params: { id: idParam },
		body: cardStorageBody,
		ok: { status: 200, schema: z.object({ cardId: z.string(), storageLocationId: z.number().int(), boxPosition: z.string(), changed: z.boolean() }) },
		errors: [400, 401, 403, 404]
	},
	{
		method: 'post',
		path: '/api/v1/staff/cards/transfers',
		summary: 'Mark cards of the transfer list sent (回送済: who, when, to which issuing location) or unmark them, in one transaction (R-S03); 409 when a card needs no transfer',
		tag: 'cards',
		auth: 'clerk',
		body: transferMarkBody,
		ok: { status: 200, schema: z.object({ sent: z.boolean(), changed: z.array(z.string()), unchanged: z.array(z.string()) }) },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'get',
		path: '/api/v1/staff/reservations/export',
		summary: 'The reservation search (same filters, no paging) as CSV (UTF-8 with BOM or Shift_JIS) or xlsx, one row per person; audited (R-S09)',
		tag: 'counter',
		auth: 'viewer',
		query: reservationExportQuery,
		ok: { status: 200, description: 'text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
		errors: [400, 401, 403, 422]
	},
	{
		method: 'put',
		path: '/api/v1/staff/session/password',
		summary: 'Change the signed-in user’s own password {current, next}; other sessions end. The only staff endpoint open while a change is required (403 type …/password-change-required elsewhere) (R-S01)',
		tag: 'staff',
		auth: 'viewer',
		body: passwordChangeBody,
		ok: { status: 200, schema: z.object({ changed: z.literal(true), sessionsEnded: z.number().int() }) },
		errors: [400, 401, 422, 429]
	}
];
