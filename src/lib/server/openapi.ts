/**
 * GET /api/v1/openapi.json: the public contract (DESIGN.md), generated from the same zod schemas
 * the routes parse with (requests) and from the response shapes below (documentation only).
 */
import { z } from 'zod';
import * as primitives from './schemas.ts';
import * as authBodies from './auth/schemas.ts';
import * as bookingBodies from './booking/schemas.ts';
import * as citizenBodies from './citizen/schemas.ts';
import * as schedulingBodies from './scheduling/schemas.ts';
import { listKindPath, listQuery } from './lists/schema.ts';
import * as counter from './checkin/schemas.ts';
import { AUDIT_USER_OPS } from './audit/openapi.ts';
import { CITY_OPS } from './city/openapi.ts';
import { CARD_OPS } from './cards/openapi.ts';
import { isCitizenPath } from './citizen/maintenance.ts';
import { CLERK_OPS } from './clerk-openapi.ts';

/** The request schemas the routes parse with: the primitives and each area's bodies. */
const s = { ...primitives, ...authBodies, ...bookingBodies, ...citizenBodies, ...schedulingBodies };

const problem = z.object({
	type: z.string(),
	title: z.string(),
	status: z.number().int(),
	detail: z.string().optional().describe('A message for the user, in Japanese'),
	code: z.string().optional(),
	errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('One entry per bad field, e.g. persons.1 or patterns.0.close')
});

const level = z.enum(['many', 'few', 'none', 'closed']);
const staffSlot = z.object({
	id: z.string(),
	locationId: z.number().int(),
	date: z.string(),
	startsAt: z.string().describe('ISO 8601 with +09:00'),
	endsAt: z.string(),
	capacity: z.number().int(),
	booked: z.number().int(),
	held: z.number().int(),
	checkedIn: z.number().int(),
	version: z.string()
});
const affected = z.object({ id: z.string(), bookingNumber: z.string(), partySize: z.number().int(), slotId: z.string(), startsAt: z.string() });
const capacityChange = staffSlot.extend({ override: z.boolean(), affectedReservations: z.array(affected) });
const reservation = z.object({
	id: z.string(),
	bookingNumber: z.string().describe('8 digits, e.g. 1234-5678'),
	status: z.enum(['active', 'cancelled', 'no_show', 'completed']),
	locationId: z.number().int(),
	purposeId: z.number().int(),
	partySize: z.number().int(),
	date: z.string(),
	startsAt: z.string(),
	endsAt: z.string(),
	slotIds: z.array(z.string()),
	source: z.enum(['citizen', 'staff', 'import']),
	overrideReason: z.string().nullable(),
	email: z.string().nullable(),
	persons: z.array(z.object({ cardId: z.string(), noticeId: z.string(), position: z.number().int(), active: z.boolean() }))
});
const hold = z.object({
	holdId: z.string(),
	expiresAt: z.string(),
	precautions: z.string().describe('The purpose’s precautions in the session’s language: to acknowledge before confirming (R-C08)'),
	locationId: z.number().int(),
	slotId: z.string(),
	startsAt: z.string(),
	endsAt: z.string(),
	partySize: z.number().int(),
	purpose: z.object({ id: z.number().int(), nameJa: z.string(), nameEn: z.string() })
});
const citizenReservation = z.object({
	reservationNumber: z.string(),
	manageUrl: z.string(),
	reservationId: z.string(),
	locationId: z.number().int(),
	purposeId: z.number().int(),
	date: z.string(),
	startsAt: z.string(),
	endsAt: z.string(),
	partySize: z.number().int()
});
const managed = z.object({
	reservationNumber: z.string(),
	status: z.enum(['active', 'cancelled', 'no_show', 'completed']),
	canChange: z.boolean(),
	date: z.string(),
	startsAt: z.string(),
	endsAt: z.string(),
	partySize: z.number().int(),
	persons: z.array(z.object({ position: z.number().int(), name: z.string().describe('masked') })),
	checkinCode: z.string().nullable()
});
const availability = z.object({
	locationId: z.number().int(),
	from: z.string(),
	to: z.string(),
	days: z.array(z.object({ date: z.string(), level })),
	slots: z.array(z.object({ id: z.string(), date: z.string(), startsAt: z.string(), endsAt: z.string(), level })),
	version: z.string()
});

type Schema = z.ZodType;
export interface Op {
	method: 'get' | 'post' | 'put' | 'patch' | 'delete';
	path: string;
	summary: string;
	tag: string;
	auth?: 'viewer' | 'clerk' | 'supervisor' | 'admin';
	params?: Record<string, Schema>;
	query?: z.ZodObject;
	body?: Schema;
	ok: { status: number; schema?: Schema; description?: string };
	errors: number[];
}

const id = { id: s.idParam };
/**
 * Every method of every +server.ts under src/routes/api has one entry here, or in an area's list
 * spread in below (AUDIT_USER_OPS, CARD_OPS); tests/unit/openapi-routes.test.ts checks both ways.
 * A new endpoint: add its Op to this list (or its area's), with the errors it can answer.
 */
const OPS: Op[] = [
	{ method: 'get', path: '/api/v1/locations', summary: 'Citizen-bookable locations (R-C04)', tag: 'citizen', ok: { status: 200 }, errors: [] },
	{
		method: 'get',
		path: '/api/v1/locations/{id}/availability',
		summary: 'Availability as levels only, never counts (R-C05); follows the citizens’ booking window (R-S07)',
		tag: 'citizen',
		params: { id: s.locationIdParam },
		query: s.availabilityQuery,
		ok: { status: 200, schema: availability },
		errors: [400, 404]
	},
	{
		method: 'get',
		path: '/api/v1/locations/{id}/purposes',
		summary: 'Purposes offered here with their precautions, and the persons-per-booking limit (R-S17, R-C08, R-C07)',
		tag: 'citizen',
		params: { id: s.locationIdParam },
		ok: { status: 200 },
		errors: [400, 404]
	},
	{
		method: 'post',
		path: '/api/v1/citizen/links',
		summary: 'Start by email (R-C02): 202 whatever the address; a single-use, expiring link is mailed',
		tag: 'citizen',
		body: s.citizenLinkBody,
		ok: { status: 202 },
		errors: [400, 429]
	},
	{
		method: 'post',
		path: '/api/v1/citizen/session',
		summary: 'Open a citizen session with the link’s token: cookie and {token} for Bearer use; a used or expired link is 410',
		tag: 'citizen',
		body: s.citizenSessionBody,
		ok: { status: 201 },
		errors: [400, 410]
	},
	{ method: 'delete', path: '/api/v1/citizen/session', summary: 'End the citizen session (the cookie is cleared; a missing session is fine)', tag: 'citizen', ok: { status: 204, description: 'Signed out' }, errors: [] },
	{
		method: 'post',
		path: '/api/v1/holds',
		summary: 'Verify the persons (R-C03; lockout R-C14 → 429 with retryAfter) and hold their places while confirming (R-C15); citizen session',
		tag: 'citizen',
		body: s.holdBody,
		ok: { status: 201, schema: hold },
		errors: [400, 401, 404, 409, 422, 429]
	},
	{
		method: 'post',
		path: '/api/v1/holds/{id}/confirm',
		summary: 'Acknowledge the precautions (R-C08) and book; the confirmation mail follows (R-C09)',
		tag: 'citizen',
		params: { id: s.uuidParam },
		body: s.confirmHoldBody,
		ok: { status: 201, schema: citizenReservation },
		errors: [400, 401, 404, 409]
	},
	{
		method: 'delete',
		path: '/api/v1/holds/{id}',
		summary: 'Give the held time back',
		tag: 'citizen',
		params: { id: s.uuidParam },
		ok: { status: 204, description: 'Released' },
		errors: [400, 401, 404, 409]
	},
	{ method: 'get', path: '/api/v1/citizen/reservations/{token}', summary: 'The booking behind a manage link (R-C10)', tag: 'citizen', params: { token: s.manageTokenParam }, ok: { status: 200, schema: managed }, errors: [400, 404] },
	{ method: 'delete', path: '/api/v1/citizen/reservations/{token}', summary: 'Cancel (R-C10); a change mail follows', tag: 'citizen', params: { token: s.manageTokenParam }, ok: { status: 200, schema: managed }, errors: [400, 404, 409] },
	{
		method: 'post',
		path: '/api/v1/citizen/reservations/{token}/move',
		summary: 'Move to another time or location (R-C10); a change mail follows',
		tag: 'citizen',
		params: { token: s.manageTokenParam },
		body: s.manageMoveBody,
		ok: { status: 200, schema: managed },
		errors: [400, 404, 409, 422]
	},
	{
		method: 'post',
		path: '/api/v1/citizen/reservations/{token}/persons',
		summary: 'Add a household member, verified like everyone (R-C07, R-C03); a change mail follows',
		tag: 'citizen',
		params: { token: s.manageTokenParam },
		body: s.managePersonBody,
		ok: { status: 201, schema: managed },
		errors: [400, 404, 409, 422, 429]
	},
	{ method: 'post', path: '/api/v1/staff/session', summary: 'Staff login (R-S01)', tag: 'staff', body: s.loginBody, ok: { status: 200 }, errors: [400, 401, 423] },
	{ method: 'delete', path: '/api/v1/staff/session', summary: 'Log out', tag: 'staff', auth: 'viewer', ok: { status: 204 }, errors: [401] },
	{
		method: 'get',
		path: '/api/v1/staff/slots',
		summary: 'A day’s slots with capacity, booked, held, checked in and version (R-S04, R-L01)',
		tag: 'staff',
		auth: 'viewer',
		query: s.staffSlotsQuery,
		ok: { status: 200, schema: z.object({ locationId: z.number().int(), date: z.string(), slots: z.array(staffSlot) }) },
		errors: [400, 401, 403]
	},
	{
		method: 'patch',
		path: '/api/v1/staff/slots/{id}',
		summary: 'Change a slot’s capacity live with a reason (R-S05); below booked + held only with override: true, listing the affected bookings',
		tag: 'staff',
		auth: 'supervisor',
		params: id,
		body: s.capacityPatchBody,
		ok: { status: 200, schema: capacityChange },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'post',
		path: '/api/v1/staff/slots/capacity-range',
		summary: 'Change the capacity of every slot overlapping a time range of one day (R-S05, R-S06)',
		tag: 'staff',
		auth: 'supervisor',
		body: s.capacityRangeBody,
		ok: { status: 200, schema: z.object({ slots: z.array(staffSlot), override: z.boolean(), affectedReservations: z.array(affected) }) },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'post',
		path: '/api/v1/staff/reservations',
		summary: 'Book for a citizen (R-S04); beyond capacity only by a supervisor or admin with a reason (R-S05)',
		tag: 'staff',
		auth: 'clerk',
		body: s.staffReservationBody,
		ok: { status: 201, schema: reservation },
		errors: [400, 401, 403, 404, 409, 422]
	},
	{ method: 'get', path: '/api/v1/staff/reservations/{id}', summary: 'One reservation', tag: 'staff', auth: 'viewer', params: id, ok: { status: 200, schema: reservation }, errors: [400, 401, 403, 404] },
	{
		method: 'patch',
		path: '/api/v1/staff/reservations/{id}',
		summary: 'Move a reservation to another slot, in one transaction with the same guarantees as booking',
		tag: 'staff',
		auth: 'clerk',
		params: id,
		body: s.moveReservationBody,
		ok: { status: 200, schema: reservation },
		errors: [400, 401, 403, 404, 409, 422]
	},
	{
		method: 'delete',
		path: '/api/v1/staff/reservations/{id}',
		summary: 'Cancel: places freed, cards back to 通知書発送済 with history (R-S08); optional JSON body {reason}',
		tag: 'staff',
		auth: 'clerk',
		params: id,
		body: s.cancelReservationBody,
		ok: { status: 200, schema: reservation },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'post',
		path: '/api/v1/staff/reservations/{id}/resend',
		summary: 'Send the booking mail again (R-C09): queued in the outbox, audited; 409 for a booking no longer active or without an address',
		tag: 'staff',
		auth: 'clerk',
		params: id,
		ok: { status: 202, schema: z.object({ outboxId: z.string(), status: z.literal('queued') }) },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'get',
		path: '/api/v1/staff/settings/locations/{id}/schedule',
		summary: 'A location’s hours patterns, weekly plan, exceptions, booking window and purposes (R-S06, R-S07, R-S17)',
		tag: 'settings',
		auth: 'admin',
		params: { id: s.locationIdParam },
		ok: { status: 200 },
		errors: [400, 401, 403, 404]
	},
	{
		method: 'patch',
		path: '/api/v1/staff/settings/locations/{id}/schedule',
		summary: 'Save parts of the schedule; validated as a whole (Japanese messages per field), then slots are regenerated; the report lists bookings left on closed times',
		tag: 'settings',
		auth: 'admin',
		params: { id: s.locationIdParam },
		body: s.schedulePatchBody,
		ok: { status: 200 },
		errors: [400, 401, 403, 404, 422]
	},
	{
		method: 'get',
		path: '/api/v1/staff/lists/{kind}',
		summary: 'Lists for a date range as CSV or PDF (R-S10, R-S11, R-S13): reservations, pull (引き抜き), transfer (回送), no-shows; no locationId = every location; at most 93 days',
		tag: 'staff',
		auth: 'clerk',
		params: { kind: listKindPath.shape.kind },
		query: listQuery,
		ok: { status: 200, description: 'The file: text/csv (UTF-8 with BOM, or Shift_JIS) or application/pdf; Content-Disposition with the Japanese name in filename*; Cache-Control no-store' },
		errors: [400, 401, 403]
	},
	// ---- the counter (R-S15, R-S14, R-S09) ----
	{
		method: 'post',
		path: '/api/v1/staff/check-in',
		summary: 'What a USB QR reader typed (MN + 32 hex): the booking with persons, storage and notes, marked 来庁 when it is today (R-S15); scanning again changes nothing',
		tag: 'counter',
		auth: 'clerk',
		body: counter.checkInCodeBody,
		ok: { status: 200, schema: z.object({ checkedIn: z.boolean(), alreadyCheckedIn: z.boolean(), reservation: z.looseObject({}) }) },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'get',
		path: '/api/v1/staff/reservations',
		summary: 'Find bookings by booking number, QR code, notice ID or name kana, within a location, day and status (R-S04, R-S09)',
		tag: 'counter',
		auth: 'viewer',
		query: counter.reservationSearchQuery,
		ok: { status: 200 },
		errors: [400, 401, 403]
	},
	{ method: 'post', path: '/api/v1/staff/reservations/{id}/check-in', summary: 'Check a visit in by its id, on its day only (R-S15)', tag: 'counter', auth: 'clerk', params: id, ok: { status: 200 }, errors: [400, 401, 403, 404, 409] },
	{
		method: 'post',
		path: '/api/v1/staff/reservations/{id}/cards/{cardId}/issue',
		summary: '来庁 → 交付済 for one person; the visit completes when every person has a result (R-S08)',
		tag: 'counter',
		auth: 'clerk',
		params: { id: s.idParam, cardId: s.idParam },
		ok: { status: 200 },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'post',
		path: '/api/v1/staff/reservations/{id}/cards/{cardId}/needs-redo',
		summary: '来庁 → 不備・再手続 with a note (R-S08, R-S15)',
		tag: 'counter',
		auth: 'clerk',
		params: { id: s.idParam, cardId: s.idParam },
		body: counter.needsRedoBody,
		ok: { status: 200 },
		errors: [400, 401, 403, 404, 409]
	},
	{
		method: 'post',
		path: '/api/v1/staff/reservations/{id}/cards/{cardId}/undo-issue',
		summary: 'Take back a 交付済 recorded by mistake, within 10 minutes; audited',
		tag: 'counter',
		auth: 'clerk',
		params: { id: s.idParam, cardId: s.idParam },
		ok: { status: 200 },
		errors: [400, 401, 403, 404, 409]
	},
	{ method: 'get', path: '/api/v1/staff/persons/{cardId}/notes', summary: 'A person’s staff note and its history; never shown to citizens (R-S14)', tag: 'counter', auth: 'viewer', params: { cardId: s.idParam }, ok: { status: 200 }, errors: [400, 401, 403, 404] },
	{
		method: 'put',
		path: '/api/v1/staff/persons/{cardId}/notes',
		summary: 'Replace a person’s staff note (an empty body clears it); earlier text stays in the history (R-S14)',
		tag: 'counter',
		auth: 'clerk',
		params: { cardId: s.idParam },
		body: counter.personNoteBody,
		ok: { status: 200 },
		errors: [400, 401, 403, 404]
	},
	...AUDIT_USER_OPS,
	...CITY_OPS,
	...CARD_OPS,
	...CLERK_OPS,
	{ method: 'get', path: '/api/v1/openapi.json', summary: 'This document', tag: 'meta', ok: { status: 200 }, errors: [] }
];

function jsonSchema(schema: Schema): Record<string, unknown> {
	const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
	delete out.$schema;
	return out;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad input', 401: 'No session', 403: 'Role too weak', 404: 'Not found', 409: 'Conflict (full, already booked, …)', 422: 'Not allowed (window, closed day, wrong card data, …)', 423: 'Locked', 410: 'Link used or expired', 429: 'Too many attempts: retryAfter seconds', 503: 'Maintenance: Retry-After' };

/**
 * The op's own errors, and those the hooks answer before any route runs: 401 on the staff API
 * without a session, 503 on the citizen side during maintenance (R-C13).
 */
function documentedErrors(op: Op): number[] {
	const codes = new Set(op.errors);
	if (op.path.startsWith('/api/v1/staff/') && !(op.method === 'post' && op.path === '/api/v1/staff/session')) codes.add(401);
	if (isCitizenPath(op.path)) codes.add(503);
	return [...codes].sort((a, b) => a - b);
}

export function openApiDocument(): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const op of OPS) {
		const parameters = [
			...Object.entries(op.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema) })),
			...Object.entries(op.query?.shape ?? {}).map(([name, schema]) => ({
				name,
				in: 'query',
				required: !(schema as Schema).safeParse(undefined).success,
				schema: jsonSchema(schema as Schema)
			}))
		];
		const responses: Record<string, unknown> = {
			[op.ok.status]: {
				description: op.ok.description ?? 'OK',
				...(op.ok.schema ? { content: { 'application/json': { schema: jsonSchema(op.ok.schema) } } } : {})
			}
		};
		for (const code of documentedErrors(op)) {
			responses[code] = { description: STATUS_TEXT[code] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
		}
		paths[op.path] ??= {};
		paths[op.path][op.method] = {
			summary: op.summary,
			tags: [op.tag],
			...(op.auth ? { security: [{ bearer: [] }, { cookie: [] }], 'x-required-role': op.auth } : {}),
			...(parameters.length ? { parameters } : {}),
			...(op.body ? { requestBody: { required: op.method !== 'delete', content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
			responses
		};
	}
	return {
		openapi: '3.1.0',
		info: {
			title: 'マイナンバーカード交付予約 API',
			version: '1',
			description: 'Dates YYYY-MM-DD and times ISO 8601 with +09:00 (Asia/Tokyo). Errors are RFC 9457 application/problem+json.'
		},
		paths,
		components: {
			schemas: { Problem: jsonSchema(problem) },
			securitySchemes: {
				bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
				cookie: { type: 'apiKey', in: 'cookie', name: 'mn_session' }
			}
		}
	};
}
