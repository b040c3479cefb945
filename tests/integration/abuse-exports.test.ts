/**
 * R-O04 CSV formula injection: a citizen's name `=HYPERLINK("http://x","a")` (a card import takes
 * whatever the city's system holds) must reach every spreadsheet the product writes as text — with
 * a leading apostrophe — never as a formula Excel runs. Every export endpoint, both encodings.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import { audit } from '../../src/lib/server/audit/write.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import * as cardExport from '../../src/routes/api/v1/staff/cards/export/+server.ts';
import * as listRoute from '../../src/routes/api/v1/staff/lists/[kind]/+server.ts';
import * as auditRoute from '../../src/routes/api/v1/staff/audit/+server.ts';

const EVIL = '=HYPERLINK("http://x","a")';
const EVIL_KANA = '@SUM(1+1)';
const DATE = '2026-12-01';

let t: TestDatabase;
const who: Partial<Record<Role, Principal>> = {};
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'abuse_exports');
	setAppContext(testContext(t.db, { now: new Date('2026-11-30T01:00:00Z') }).ctx);
	const loc = await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	for (const role of ['viewer', 'clerk', 'admin'] as const) {
		const u = await makeStaff(t.db, role);
		who[role] = { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
	}
	const slot = await makeSlot(t.db, loc.id, DATE, '10:00', 5);
	const r = await makeReservation(t.db, slot, 1);
	await t.db.models.CardRecord.update({ nameKanji: EVIL, nameKana: EVIL_KANA, boxPosition: '-1+2' }, { where: { id: r.cardIds[0] } });
	// An audit row whose visible cells start with a formula (a login typed by an attacker, say).
	await audit(testContext(t.db).ctx, { actorType: 'staff', actorId: EVIL, action: 'auth.login_failed', targetType: 'staff', targetId: '+81 3 0000', detail: {} });
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

type Handler = (event: never) => Promise<Response> | Response;
function call(handler: Handler, path: string, role: Role, params: Record<string, string> = {}) {
	const url = new URL(`http://127.0.0.1${path}`);
	const event = { request: new Request(url), url, params, locals: { principal: who[role]!, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

async function rows(res: Response, encoding: 'utf-8' | 'shift_jis'): Promise<string[][]> {
	expect(res.status).toBe(200);
	const buf = Buffer.from(await res.arrayBuffer());
	const text = encoding === 'utf-8' ? buf.toString('utf8').replace(/^\uFEFF/, '') : iconv.decode(buf, 'cp932');
	return parse(text, { relax_column_count: true }) as string[][];
}

/** No cell may start with a formula character; the attacker's text is there, apostrophe first. */
function expectInert(table: string[][], label: string, expected: string[]) {
	for (const row of table) for (const cell of row) expect(cell, `${label}: ${cell}`).not.toMatch(/^[=+\-@\t\r]/);
	const cells = table.flat();
	for (const e of expected) expect(cells, label).toContain(`'${e}`);
}

describe('R-O04 formula cells in every export', () => {
	for (const encoding of ['utf-8', 'shift_jis'] as const) {
		it(`R-O04 card search export (${encoding}) writes =HYPERLINK(…) as text`, async () => {
			const table = await rows(await call(cardExport.GET, `/api/v1/staff/cards/export?encoding=${encoding}`, 'viewer'), encoding);
			expectInert(table, 'cards', [EVIL, EVIL_KANA, '-1+2']);
		});

		for (const kind of ['reservations', 'pull'] as const) {
			it(`R-O04 list ${kind} (${encoding}) writes =HYPERLINK(…) as text`, async () => {
				const res = await call(listRoute.GET, `/api/v1/staff/lists/${kind}?from=${DATE}&format=csv&encoding=${encoding}`, 'clerk', { kind });
				const table = await rows(res, encoding);
				expectInert(table, kind, [EVIL]);
			});
		}
	}

	it('R-O04 audit log export writes a formula-looking actor as text', async () => {
		const table = await rows(await call(auditRoute.GET, '/api/v1/staff/audit?format=csv', 'admin'), 'utf-8');
		expectInert(table, 'audit', [EVIL, '+81 3 0000']);
	});
});
