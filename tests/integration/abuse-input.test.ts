/**
 * What an attacker typed into the boundaries (R-O04): mailbox variants that dodged the per-mailbox
 * limit of sign-in links, addresses the API refused but the staff form stored, and control
 * characters (C0/C1, bidi overrides) in names and other text.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeSlot, makeStaff } from '../harness/factories.ts';
import { setAppContext } from '../../src/lib/server/context.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import { mailboxKey } from '../../src/lib/domain/mail-format.ts';
import { emailAddress } from '../../src/lib/server/schemas.ts';
import { addContact } from '../../src/lib/server/ops/emergency.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { importReservations } from '../../src/lib/server/cards/import-reservations.ts';
import * as linksRoute from '../../src/routes/api/v1/citizen/links/+server.ts';
import * as staffReservationsRoute from '../../src/routes/api/v1/staff/reservations/+server.ts';
import * as cardImportRoute from '../../src/routes/api/v1/staff/imports/cards/+server.ts';
import { findControlChars } from '../../src/lib/domain/text-safety.ts';
import { controlCharRefusal } from '../../src/lib/server/security/text-input.ts';

let t: TestDatabase;
const who: Partial<Record<Role, Principal>> = {};
let slotId: string;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'abuse_input');
	setAppContext(testContext(t.db).ctx);
	const loc = await makeLocation(t.db, { code: 'honcho', nameJa: '市役所本庁舎' });
	slotId = String((await makeSlot(t.db, loc.id, '2026-12-10', '10:00', 5)).id);
	for (const role of ['clerk', 'admin'] as const) {
		const u = await makeStaff(t.db, role);
		who[role] = { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
	}
});
afterAll(async () => {
	setAppContext(undefined);
	await t?.drop();
});

type Handler = (event: never) => Promise<Response> | Response;
function post(handler: Handler, path: string, body: unknown, opts: { role?: Role; ip?: string } = {}) {
	const url = new URL(`http://127.0.0.1${path}`);
	const request = new Request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
	const event = { request, url, params: {}, locals: { principal: opts.role ? who[opts.role]! : null, lang: 'ja' }, getClientAddress: () => opts.ip ?? '127.0.0.1' };
	return (handler as (e: typeof event) => Promise<Response>)(event);
}

describe('R-O04 sign-in links are limited per mailbox, not per spelling', () => {
	it('R-O04 R-C02 victim+1@, victim+2@, V.I.C.T.I.M@ and the rest count as one mailbox: five links, every answer 202 and the same', async () => {
		const variants = ['victim@example.jp', 'victim+1@example.jp', 'victim+2@example.jp', 'v.i.c.t.i.m@example.jp', 'Victim@Example.JP', 'vic.tim+x@example.jp', 'VICTIM+promo@example.jp', 'v.ictim+3@example.jp', 'victim+4@example.jp', 'victim.+5@example.jp'];
		const bodies = new Set<string>();
		for (const [i, email] of variants.entries()) {
			const res = await post(linksRoute.POST, '/api/v1/citizen/links', { email }, { ip: `198.51.100.${i + 1}` });
			expect(res.status).toBe(202);
			bodies.add(await res.text());
		}
		expect(bodies.size).toBe(1);
		const [{ n }] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM citizen_links WHERE email ILIKE '%@example.jp'`, { type: QueryTypes.SELECT });
		expect(n).toBe(5);
		// another mailbox at the same provider is untouched
		expect((await post(linksRoute.POST, '/api/v1/citizen/links', { email: 'neighbour@example.jp' }, { ip: '198.51.100.99' })).status).toBe(202);
		const [{ m }] = await t.db.sequelize.query<{ m: number }>(`SELECT count(*)::int AS m FROM citizen_links WHERE email = 'neighbour@example.jp'`, { type: QueryTypes.SELECT });
		expect(m).toBe(1);
	});

	it('R-O04 mailboxKey: lower-case, +tag dropped, dots of the local part ignored, the domain kept', () => {
		expect(mailboxKey(' V.i.c.t.i.m+Tag@Example.JP ')).toBe('victim@example.jp');
		expect(mailboxKey('victim@example.jp')).toBe('victim@example.jp');
		expect(mailboxKey('victim@ex.ample.jp')).toBe('victim@ex.ample.jp');
		expect(mailboxKey('victim@other.jp')).not.toBe(mailboxKey('victim@example.jp'));
	});
});

describe('R-O04 one email rule at every boundary', () => {
	const BAD = ['victim,evil@example.jp', 'victim@example.jp,evil@example.jp', 'Victim <victim@example.jp>', 'victim@example.jp\r\nBcc: evil@example.jp', '"a b"@example.jp', 'victim@localhost', 'victim @example.jp'];

	it('R-O04 the schema refuses every form of more-than-one-address and keeps a plain one', () => {
		for (const b of BAD) expect(emailAddress.safeParse(b).success, b).toBe(false);
		expect(emailAddress.parse('  taro.yamada+card@example.city.lg.jp ')).toBe('taro.yamada+card@example.city.lg.jp');
	});

	it('R-O04 R-C02 the citizen links API answers 400 problem+json for victim,evil@', async () => {
		const res = await post(linksRoute.POST, '/api/v1/citizen/links', { email: 'victim,evil@example.jp' }, { ip: '198.51.100.200' });
		expect(res.status).toBe(400);
		expect(res.headers.get('content-type')).toContain('application/problem+json');
	});

	it('R-O04 R-S04 the staff API, the use case and the staff booking form refuse it; nothing is stored', async () => {
		const card = await makeCard(t.db);
		const api = await post(staffReservationsRoute.POST, '/api/v1/staff/reservations', { slotId, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }], email: 'victim,evil@example.jp' }, { role: 'clerk' });
		expect(api.status).toBe(400);
		expect((await api.json()).errors.map((e: { field: string }) => e.field)).toContain('email');
		await expect(createStaffReservation(testContext(t.db).ctx, who.clerk!, { slotId, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }], email: 'victim,evil@example.jp' })).rejects.toMatchObject({ status: 400 });

		const { actions } = await import('../../src/routes/staff/(app)/reservations/new/+page.server.ts');
		const f = new FormData();
		for (const [k, v] of Object.entries({ slotId, personCount: '1', noticeId0: card.noticeId, birthDate0: card.birthDate, email: 'victim,evil@example.jp' })) f.append(k, v);
		const request = new Request('http://127.0.0.1/staff/reservations/new', { method: 'POST', body: f });
		const r = (await (actions.book as (e: unknown) => Promise<unknown>)({ request, locals: { principal: who.clerk!, lang: 'ja' }, getClientAddress: () => '127.0.0.1' })) as { status: number; data: { errors: Record<string, string> } };
		expect(r.status).toBe(400);
		expect(r.data.errors.email).toContain('メールアドレス');
		expect(await t.db.models.Reservation.count()).toBe(0);
	});

	it('R-O04 R-O07 an emergency contact with victim,evil@ is refused with the field named', async () => {
		await expect(addContact(testContext(t.db).ctx, who.admin!, { name: '防災担当', email: 'victim,evil@example.jp' })).rejects.toMatchObject({ status: 400, errors: [expect.objectContaining({ field: 'email' })] });
		const [{ n }] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM emergency_contacts`, { type: QueryTypes.SELECT });
		expect(n).toBe(0);
	});

	it('R-O04 R-S16 a reservation import row with victim,evil@ is a line error, nothing written', async () => {
		const card = await makeCard(t.db);
		const csv = ['予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻,用件,メールアドレス', `,${card.noticeId},${card.birthDate},honcho,2026-12-10,10:00,,"victim,evil@example.jp"`].join('\n');
		async function* body() {
			yield new TextEncoder().encode(csv);
		}
		const e = await importReservations(testContext(t.db).ctx, who.clerk!, { body: body(), encoding: 'auto' }).then(
			() => null,
			(x) => x
		);
		expect(e?.status).toBe(422);
		expect(e.extra.errors).toEqual([expect.objectContaining({ line: 2, column: 'メールアドレス' })]);
		expect(await t.db.models.Reservation.count()).toBe(0);
	});
});

describe('R-O04 control characters refused at every boundary, by one rule', () => {
	const RLO = '\u202E';

	it('R-O04 the rule: C0 (but tab and line breaks), DEL, C1 and bidi controls everywhere; tab and line breaks only where text is multi-line', () => {
		for (const bad of ['a\u0000b', 'a\u0007', 'a\u001Bb', 'a\u007F', 'a\u0085', 'a\u009B', `abc${RLO}txt.exe`, 'a\u2066b\u2069']) {
			expect(findControlChars({ note: bad }), JSON.stringify(bad)).not.toBeNull();
		}
		expect(findControlChars({ note: '一行目\n二行目\tタブ', body: 'a\r\nb', reason: 'x\ny' })).toBeNull();
		for (const field of ['nameKanji', 'displayName', 'noticeId', 'email', 'label', 'subject', 'q', 'code']) {
			expect(findControlChars({ [field]: '山田\n太郎' })?.field, field).toBe(field);
		}
		expect(findControlChars({ persons: [{ noticeId: 'A1' }, { noticeId: `A${RLO}2` }] })?.field).toBe('persons.1.noticeId');
		expect(findControlChars({ nameJa: '本庁舎', contact: { ja: '電話\n0000' } })).toBeNull();
	});

	it('R-O04 the API: a JSON field with a control character is 400 problem+json naming the field; nothing stored', async () => {
		const card = await makeCard(t.db);
		const res = await post(staffReservationsRoute.POST, '/api/v1/staff/reservations', { slotId, persons: [{ noticeId: `${card.noticeId}\u0007`, birthDate: card.birthDate }] }, { role: 'clerk' });
		expect(res.status).toBe(400);
		expect(res.headers.get('content-type')).toContain('application/problem+json');
		const body = await res.json();
		expect(body.errors).toEqual([expect.objectContaining({ field: 'persons.0.noticeId', message: expect.stringContaining('制御文字') })]);
		const link = await post(linksRoute.POST, '/api/v1/citizen/links', { email: `victim${RLO}@example.jp` }, { ip: '198.51.100.201' });
		expect(link.status).toBe(400);
		expect(await t.db.models.Reservation.count()).toBe(0);
	});

	it('R-O04 R-S02 the card import: a bidi override or a line break in a name is a line error naming the column; a line break in 住所 is allowed', async () => {
		const header = '交付通知書番号,氏名,氏名カナ,生年月日,性別,住所,保管場所,保管位置,通知書発送日';
		const row = (id: string, name: string, address = '見本市中央町1') => `${id},"${name}",ミホン タロウ,1985/01/02,男,"${address}",honcho,箱1,2026/11/20`;
		const csv = [header, row('C-0001', '見本 太郎', '見本市\n中央町1'), row('C-0002', `見本${RLO}太郎`), row('C-0003', '見本\n太郎'), row('C-0004', '見本\u0008太郎')].join('\n');
		const url = new URL('http://127.0.0.1/api/v1/staff/imports/cards');
		const request = new Request(url, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv; charset=utf-8' } });
		const res = await (cardImportRoute.POST as unknown as (e: unknown) => Promise<Response>)({ request, url, params: {}, locals: { principal: who.clerk!, lang: 'ja' }, getClientAddress: () => '127.0.0.1' });
		expect(res.status).toBe(422);
		const errors = (await res.json()).errors as { line: number; column: string; message: string }[];
		// C-0001 spans lines 2–3 (its address has a line break, allowed); then lines 4, 5, 7
		expect(errors.map((e) => [e.line, e.column])).toEqual([
			[4, '氏名'],
			[5, '氏名'],
			[7, '氏名']
		]);
		expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('制御文字'), expect.stringContaining('改行'), expect.stringContaining('制御文字')]);
		expect(await t.db.models.CardRecord.count({ where: { noticeId: 'C0001' } })).toBe(0);
	});

	describe('R-O04 forms and queries (hooks.server.ts)', () => {
		const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
			const body = new URLSearchParams(fields).toString();
			return new Request('http://127.0.0.1/staff/users?/create', {
				method: 'POST',
				body,
				headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)), ...headers }
			});
		};

		it('R-O04 a form sent with use:enhance gets an action error naming the field, which the page shows', async () => {
			const req = form({ login: 'newclerk', displayName: `窓口${RLO}太郎`, role: 'clerk' }, { 'x-sveltekit-action': 'true' });
			const res = (await controlCharRefusal(req, new URL(req.url), 'ja'))!;
			expect(res.status).toBe(400);
			const result = await res.json();
			expect(result).toMatchObject({ type: 'error', status: 400, error: { message: expect.stringContaining('制御文字') } });
			expect(result.error).toMatchObject({ field: 'displayName', message: expect.stringContaining('入力を直して') });
		});

		it('R-O04 a form without script gets a readable 400 page; in English with lang=en', async () => {
			const req = form({ displayName: '窓口\n太郎' });
			const res = (await controlCharRefusal(req, new URL(req.url), 'en'))!;
			expect(res.status).toBe(400);
			expect(res.headers.get('content-type')).toContain('text/html');
			expect(await res.text()).toContain('Line breaks and tabs are not allowed');
		});

		it('R-O04 a query with a control character is 400 problem+json on the API; multi-line form fields keep their line breaks', async () => {
			const api = new Request('http://127.0.0.1/api/v1/staff/cards?q=%07abc');
			const res = (await controlCharRefusal(api, new URL(api.url), 'ja'))!;
			expect(res.status).toBe(400);
			expect(res.headers.get('content-type')).toContain('application/problem+json');
			expect((await res.json()).errors).toEqual([expect.objectContaining({ field: 'q' })]);
			const ok = form({ messageJa: '本日は\n閉庁します', note: '1行目\r\n2行目' }, { 'x-sveltekit-action': 'true' });
			expect(await controlCharRefusal(ok, new URL(ok.url), 'ja')).toBeNull();
			const fine = new Request('http://127.0.0.1/staff/cards?q=%E5%B1%B1%E7%94%B0');
			expect(await controlCharRefusal(fine, new URL(fine.url), 'ja')).toBeNull();
		});
	});
});
