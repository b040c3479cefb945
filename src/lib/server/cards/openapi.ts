/**
 * OpenAPI entries of the card records, their imports and the wall-board tokens (R-S02, R-S08,
 * R-S09, R-S16, R-L02); spread into OPS in ../openapi.ts.
 */
import { z } from 'zod';
import type { Op } from '../openapi.ts';
import { CARD_STATUSES } from '../../domain/card-status.ts';
import { idParam, locationIdParam } from '../schemas.ts';
import { boardTokenBody } from '../board/schemas.ts';
import { cardExportQuery, cardSearchQuery, cardStatusBody, importQuery } from './schemas.ts';

const status = z.enum(CARD_STATUSES);
const card = z.object({ id: z.string(), noticeId: z.string(), birthDate: z.string(), nameKana: z.string(), status, storageLocationId: z.number().int() });
const historyEntry = z.object({
	kind: z.enum(['status', 'data']),
	at: z.string(),
	actorType: z.string(),
	actorId: z.string().nullable(),
	from: status.optional(),
	to: status.optional(),
	note: z.string().nullable().optional(),
	reservationId: z.string().nullable().optional(),
	fields: z.record(z.string(), z.tuple([z.unknown(), z.unknown()])).optional().describe('data changes: field → [old, new]')
});
const statusSummary = z.object({
	to: status,
	changed: z.number().int(),
	unchanged: z.number().int(),
	refused: z.array(z.object({ cardId: z.string(), from: status, reason: z.string(), message: z.string() })),
	notFound: z.array(z.string())
});
const boardToken = z.object({ id: z.number().int(), locationId: z.number().int(), label: z.string(), createdBy: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
const importReservationsQuery = z.object({ encoding: z.enum(['auto', 'utf-8', 'shift_jis']).optional(), overrideReason: z.string().max(500).optional() });
const UPLOAD = 'Body: the CSV file (text/csv; charset=utf-8 or shift_jis) or multipart/form-data with a field "file"; at most 50 MB';

export const CARD_OPS: Op[] = [
	{
		method: 'get',
		path: '/api/v1/staff/cards',
		summary: 'Search card records (R-S09): status, q, noticeId, kana, storage and visit filters, sorting; each row the contract’s six fields',
		tag: 'cards',
		auth: 'viewer',
		query: cardSearchQuery,
		ok: { status: 200, schema: z.object({ total: z.number().int(), items: z.array(card) }) },
		errors: [400, 401, 403]
	},
	{
		method: 'get',
		path: '/api/v1/staff/cards/export',
		summary: 'The same search as CSV (UTF-8 with BOM, or Shift_JIS), audited (R-S09)',
		tag: 'cards',
		auth: 'viewer',
		query: cardExportQuery,
		ok: { status: 200, description: 'text/csv with Content-Disposition' },
		errors: [400, 401, 403]
	},
	{
		method: 'post',
		path: '/api/v1/staff/cards/status',
		summary: 'Change the status of up to the bulk limit of cards in one transaction, with a note in each history (R-S08); refused moves are listed, not applied',
		tag: 'cards',
		auth: 'clerk',
		body: cardStatusBody,
		ok: { status: 200, schema: statusSummary },
		errors: [400, 401, 403]
	},
	{
		method: 'get',
		path: '/api/v1/staff/cards/{id}/history',
		summary: 'A card’s status changes (who, when, from, to, note) and data changes, newest first (R-S08)',
		tag: 'cards',
		auth: 'viewer',
		params: { id: idParam },
		ok: { status: 200, schema: z.object({ cardId: z.string(), status, history: z.array(historyEntry) }) },
		errors: [400, 401, 403, 404]
	},
	{
		method: 'post',
		path: '/api/v1/staff/imports/cards',
		summary: `Import card creation data, all or nothing (R-S02, R-S03); 422 lists every bad row as errors [{line, column, message}]. ${UPLOAD}`,
		tag: 'imports',
		auth: 'clerk',
		query: importQuery,
		ok: { status: 200, schema: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rows: z.number().int(), encoding: z.string(), unknownColumns: z.array(z.string()) }) },
		errors: [400, 401, 403, 422]
	},
	{
		method: 'get',
		path: '/api/v1/staff/imports/cards/sample.csv',
		summary: 'A sample card import file (UTF-8 with BOM) naming this city’s first storage location',
		tag: 'imports',
		auth: 'viewer',
		ok: { status: 200, description: 'text/csv' },
		errors: [401, 403]
	},
	{
		method: 'post',
		path: '/api/v1/staff/imports/reservations',
		summary: `Import reservations taken before go-live, one row per person, all or nothing (R-S16); over-capacity rows only by a supervisor with overrideReason. ${UPLOAD}`,
		tag: 'imports',
		auth: 'clerk',
		query: importReservationsQuery,
		ok: { status: 200, schema: z.object({ reservations: z.number().int(), persons: z.number().int(), overCapacity: z.number().int() }) },
		errors: [400, 401, 403, 422]
	},
	{ method: 'get', path: '/api/v1/staff/board-tokens', summary: 'Wall-board tokens, live first (R-L02)', tag: 'board', auth: 'admin', ok: { status: 200, schema: z.object({ tokens: z.array(boardToken) }) }, errors: [401, 403] },
	{
		method: 'post',
		path: '/api/v1/staff/board-tokens',
		summary: 'Issue a token that lets one screen show one location’s board (R-L02); the token is returned once',
		tag: 'board',
		auth: 'admin',
		body: boardTokenBody,
		ok: { status: 201, schema: boardToken.extend({ token: z.string() }) },
		errors: [400, 401, 403, 404]
	},
	{
		method: 'delete',
		path: '/api/v1/staff/board-tokens/{id}',
		summary: 'Revoke a board token; boards showing with it are cut on every node',
		tag: 'board',
		auth: 'admin',
		params: { id: locationIdParam },
		ok: { status: 204, description: 'Revoked' },
		errors: [400, 401, 403, 404]
	}
];
