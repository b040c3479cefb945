/**
 * R-O04 R-S02 R-S16: a 45 MB import with one huge cell raised a node's memory by 500 MB. Cells and
 * rows are now capped while the file streams: 422 with the line, nothing written, and the upload is
 * not read to its end. Both import endpoints, with generated files.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import { MAX_CELL_CHARS, MAX_RECORD_CHARS } from '../../src/lib/server/cards/csv-input.ts';
import * as cardsImport from '../../src/routes/api/v1/staff/imports/cards/+server.ts';
import * as reservationsImport from '../../src/routes/api/v1/staff/imports/reservations/+server.ts';

let t: TestDatabase;
let clerk: Principal;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'import_limits');
	setAppContext(testContext(t.db).ctx);
	await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	const u = await makeStaff(t.db, 'clerk');
	clerk = { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

const CARD_HEADER = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';
const RES_HEADER = '予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻,用件,メールアドレス';
const enc = new TextEncoder();

/** A body that starts with `head`, then `size` bytes of one cell, then `tail`; counts what was read. */
function generated(head: string, size: number, tail: string) {
	let sent = 0;
	const chunk = enc.encode('あ'.repeat(64 * 1024 / 3));
	const state = { read: 0 };
	const stream = new ReadableStream<Uint8Array>({
		start(c) {
			c.enqueue(enc.encode(head));
			state.read += head.length;
		},
		pull(c) {
			if (sent >= size) {
				c.enqueue(enc.encode(tail));
				c.close();
				return;
			}
			c.enqueue(chunk);
			sent += chunk.byteLength;
			state.read += chunk.byteLength;
		}
	});
	return { stream, state };
}

function post(handler: (e: never) => Promise<Response> | Response, path: string, body: BodyInit) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, { method: 'POST', body, headers: { 'content-type': 'text/csv; charset=utf-8' }, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit);
	const event = { request, url, params: {}, locals: { principal: clerk, lang: 'ja' }, getClientAddress: () => '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

const ENDPOINTS = [
	['cards', cardsImport.POST, '/api/v1/staff/imports/cards', CARD_HEADER, (cell: string) => `A-0001,${cell},ミホン タロウ,1985/01/02,男,見本市,honcho,箱1,2026/11/20`, 'A-0002,"'],
	['reservations', reservationsImport.POST, '/api/v1/staff/imports/reservations', RES_HEADER, (cell: string) => `${cell},A0001,1985-01-02,honcho,2026-12-10,10:00,,`, '"']
] as const;

describe('R-O04 import size caps', () => {
	for (const [name, handler, path, header, row, hugeStart] of ENDPOINTS) {
		it(`R-O04 R-S02 ${name}: a 45 MB quoted cell is refused at line 3 with 422 (nothing written), long before the file is read`, async () => {
			// line 3 opens a quoted cell that runs on for 45 MB
			const { stream, state } = generated(`${header}\n${row('見本 太郎')}\n${hugeStart}`, 45 * 1024 * 1024, '"\n');
			const res = await post(handler, path, stream);
			expect(res.status).toBe(422);
			expect(res.headers.get('content-type')).toContain('application/problem+json');
			const body = await res.json();
			expect(body.errors).toEqual([expect.objectContaining({ line: 3 })]);
			expect(state.read).toBeLessThan(5 * 1024 * 1024);
			expect(await t.db.models.CardRecord.count()).toBe(0);
			expect(await t.db.models.Reservation.count()).toBe(0);
		}, 60_000);

		it(`R-O04 R-S02 ${name}: a cell over ${MAX_CELL_CHARS} characters is 422 naming its line and column; a row over ${MAX_RECORD_CHARS} characters is 422 naming its line`, async () => {
			const cell = await post(handler, path, [header, row('見本 太郎'), row('x'.repeat(MAX_CELL_CHARS + 1))].join('\n'));
			expect(cell.status).toBe(422);
			const e = (await cell.json()).errors;
			expect(e).toHaveLength(1);
			expect(e[0]).toMatchObject({ line: 3, column: name === 'cards' ? '氏名' : '予約番号' });
			expect(e[0].message).toContain('長すぎます');

			const wide = `${row('見本 太郎')},${Array.from({ length: 20 }, () => 'y'.repeat(900)).join(',')}`;
			const rowRes = await post(handler, path, [header, row('見本 太郎'), row('見本 次郎'), wide].join('\n'));
			expect(rowRes.status).toBe(422);
			expect((await rowRes.json()).errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('1行が長すぎます') })]);
			expect(await t.db.models.CardRecord.count()).toBe(0);
			expect(await t.db.models.Reservation.count()).toBe(0);
		});
	}
});
