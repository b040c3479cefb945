/** OpenAPI entries of the 操作ログ and user administration endpoints (R-O03, R-S01); spread into OPS in ../openapi.ts. */
import { z } from 'zod';
import type { Op } from '../openapi.ts';
import { auditQuery } from './schemas.ts';
import { createUserBody, passwordResetBody, updateUserBody, userIdParam } from '../users/schemas.ts';

const entry = z.object({
	id: z.string(),
	seq: z.string().describe('place in the hash chain'),
	at: z.string().describe('ISO 8601 with +09:00'),
	actorType: z.enum(['staff', 'citizen', 'system', 'anonymous']),
	actorId: z.string().nullable(),
	actor: z.string(),
	action: z.string(),
	actionLabel: z.string().describe('Japanese name of the action'),
	targetType: z.string().nullable(),
	targetId: z.string().nullable(),
	detail: z.record(z.string(), z.unknown()),
	ip: z.string().nullable()
});
const user = z.object({
	id: z.number().int(),
	login: z.string(),
	displayName: z.string(),
	role: z.enum(['viewer', 'clerk', 'supervisor', 'admin']),
	active: z.boolean(),
	locationIds: z.array(z.number().int()).describe('served locations; empty = all'),
	lockedUntil: z.string().nullable(),
	createdAt: z.string(),
	updatedAt: z.string()
});
const withPassword = z.object({ user, generatedPassword: z.string().nullable().describe('only when generated; shown once') });
const chainReport = z.object({
	intact: z.boolean(),
	rows: z.number().int(),
	lastSeq: z.string().nullable(),
	pending: z.number().int().describe('rows written within AUDIT_UNSEALED_FAULT_SECONDS and not sealed yet (normal); older unsealed rows are a break, reason unsealed_stale'),
	firstBreak: z.object({ reason: z.string(), id: z.string().nullable(), seq: z.string(), message: z.string() }).nullable(),
	checkedAt: z.string()
});

export const AUDIT_USER_OPS: Op[] = [
	{
		method: 'get',
		path: '/api/v1/staff/audit',
		summary: '操作ログ (R-O03): JSON pages newest first, or ?format=csv (UTF-8 with BOM, Japanese headers, Tokyo times, oldest first); filters user, action (code or area), target (type, id or type:id), from, to (YYYY-MM-DD or ISO 8601), limit, offset',
		tag: 'staff',
		auth: 'admin',
		query: auditQuery,
		ok: { status: 200, schema: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), entries: z.array(entry) }) },
		errors: [400, 401, 403]
	},
	{ method: 'post', path: '/api/v1/staff/audit/verify', summary: 'Recompute the 操作ログ hash chain: intact, or the first broken row (R-O03)', tag: 'staff', auth: 'admin', ok: { status: 200, schema: chainReport }, errors: [401, 403] },
	{ method: 'get', path: '/api/v1/staff/users', summary: 'Staff users (R-S01)', tag: 'staff', auth: 'admin', ok: { status: 200, schema: z.object({ users: z.array(user) }) }, errors: [401, 403] },
	{ method: 'post', path: '/api/v1/staff/users', summary: 'Add a staff user; without password one is generated and returned once (R-S01)', tag: 'staff', auth: 'admin', body: createUserBody, ok: { status: 201, schema: withPassword }, errors: [400, 401, 403, 409, 422] },
	{
		method: 'patch',
		path: '/api/v1/staff/users/{id}',
		summary: 'Change name, role, served locations; disable (ends sessions) or enable. Refused (409) when no active admin would be left (R-S01)',
		tag: 'staff',
		auth: 'admin',
		params: { id: userIdParam },
		body: updateUserBody,
		ok: { status: 200, schema: z.object({ user }) },
		errors: [400, 401, 403, 404, 409, 422]
	},
	{
		method: 'post',
		path: '/api/v1/staff/users/{id}/password',
		summary: 'Reset a password ({password} or {generate: true}); unlocks the account and ends its other sessions (R-S01)',
		tag: 'staff',
		auth: 'admin',
		params: { id: userIdParam },
		body: passwordResetBody,
		ok: { status: 200, schema: withPassword },
		errors: [400, 401, 403, 404, 422]
	}
];
