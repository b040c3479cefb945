import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { importReservations } from '../../src/lib/server/cards/import-reservations.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
let loc: { id: number; code: string };
const DAY = '2026-12-10';
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'reservation_import');
	loc = await makeLocation(t.db, { code: 'minami', nameJa: '南支所' });
});
afterAll(async () => t?.drop());

const HEADER = '予約番号,交付通知書番号,生年月日,交付場所,来庁日,来庁時刻,用件,メールアドレス';

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}
async function* bytes(s: string) {
	yield new TextEncoder().encode(s);
}
async function run(csv: string, role: Role = 'clerk', overrideReason?: string) {
	const tc = testContext(t.db);
	const r = await importReservations(tc.ctx, await principal(role), { body: bytes(csv), encoding: 'auto', overrideReason });
	return { r, events: tc.events };
}
async function refused(csv: string, role: Role = 'clerk') {
	const e = await run(csv, role).then(
		() => null,
		(x) => x
	);
	expect(e?.status).toBe(422);
	return e.extra as { errors: { line: number; column: string; message: string }[]; overCapacity: number; canOverride: boolean };
}
const counts = async () =>
	(
		await t.db.sequelize.query<{ r: number; booked: number }>(`SELECT (SELECT count(*)::int FROM reservations) AS r, (SELECT coalesce(sum(booked), 0)::int FROM slots) AS booked`, {
			type: QueryTypes.SELECT
		})
	)[0];

describe('existing bookings import (R-S16)', () => {
	it('R-S16 R-S08 a household (same 予約番号) and a single visit are booked: slots counted, cards 予約済 with history, no mail, events after commit', async () => {
		const slot = await makeSlot(t.db, loc.id, DAY, '10:00', 4);
		const [a, b, c] = [await makeCard(t.db), await makeCard(t.db), await makeCard(t.db)];
		const csv = [HEADER, `OLD-1,${a.noticeId},${a.birthDate},minami,${DAY},10:00,,family@example.jp`, `OLD-1,${b.noticeId},昭和55年4月1日,南支所,${DAY.replaceAll('-', '/')},10:00,,`, `,${c.noticeId},${c.birthDate},minami,${DAY},10:00,カードの交付,`].join('\n');
		const { r, events } = await run(csv);
		expect(r).toEqual({ reservations: 2, persons: 3, overCapacity: 0 });
		await slot.reload();
		expect(slot.booked).toBe(3);
		const rs = await t.db.models.Reservation.findAll({ order: [['id', 'ASC']] });
		expect(rs.map((x) => [x.source, x.partySize, x.email])).toEqual([
			['import', 2, 'family@example.jp'],
			['import', 1, null]
		]);
		await a.reload();
		expect(a.status).toBe('reserved');
		expect(await t.db.models.CardStatusHistory.count({ where: { cardRecordId: a.id, toStatus: 'reserved' } })).toBe(1);
		expect(await t.db.models.Outbox.count()).toBe(0);
		expect(events.map((e) => e.type)).toEqual(['slotsChanged', 'cardStatusChanged']);
	});

	it('R-S16 R-C12 refused with line numbers and nothing written: unknown card, a card already booked, the same card twice, no slot at that time, a household over five', async () => {
		await makeSlot(t.db, loc.id, DAY, '11:00', 20);
		const booked = await makeReservation(t.db, await makeSlot(t.db, loc.id, DAY, '15:00', 5));
		const bookedCard = (await t.db.models.CardRecord.findByPk(booked.cardIds[0]))!;
		const cards = await Promise.all(Array.from({ length: 7 }, () => makeCard(t.db)));
		const before = await counts();
		const line = (g: string, c: { noticeId: string; birthDate: string }, time = '11:00') => `${g},${c.noticeId},${c.birthDate},minami,${DAY},${time},,`;
		const f = await refused(
			[
				HEADER,
				line('', { noticeId: 'NOPE1', birthDate: '1980-01-01' }), // 2
				line('', bookedCard), // 3
				line('', cards[0]), // 4
				line('', cards[0]), // 5 same card again
				line('', cards[1], '11:05'), // 6 no slot
				...cards.slice(2, 7).map((c) => line('BIG', c)), // 7-11 five persons: fine
				line('BIG', { noticeId: cards[1].noticeId, birthDate: cards[1].birthDate }) // 12 a sixth
			].join('\n')
		);
		const at = (n: number) => f.errors.find((e) => e.line === n)?.message;
		expect(at(2)).toContain('カードがありません');
		expect(at(3)).toContain('既に予約があります');
		expect(at(5)).toContain('4行目 と同じカード');
		expect(at(6)).toContain('11:05 に始まる枠がありません');
		expect(at(12)).toContain('5人まで');
		expect(f.errors.map((e) => e.line)).toEqual([2, 3, 5, 6, 12]);
		expect(await counts()).toEqual(before);
	});

	it('R-S16 R-S05 over capacity: reported to a clerk; a supervisor imports it with a reason kept on the reservation and in the audit row', async () => {
		await makeSlot(t.db, loc.id, DAY, '13:00', 2, { booked: 1 });
		const cards = await Promise.all(Array.from({ length: 2 }, () => makeCard(t.db)));
		const csv = [HEADER, ...cards.map((c) => `X,${c.noticeId},${c.birthDate},minami,${DAY},13:00,,`)].join('\n');
		const before = await counts();
		const f = await refused(csv);
		expect(f.overCapacity).toBe(1);
		expect(f.canOverride).toBe(false);
		expect(f.errors[0].message).toContain('定員を超えます（定員2人・予約1人・このファイル2人）');
		expect(await counts()).toEqual(before);
		await expect(run(csv, 'clerk', '電話予約の移行')).rejects.toMatchObject({ status: 403 });
		const { r } = await run(csv, 'supervisor', '電話予約の移行');
		expect(r).toEqual({ reservations: 1, persons: 2, overCapacity: 1 });
		const res = await t.db.models.Reservation.findOne({ order: [['id', 'DESC']] });
		expect(res?.overrideReason).toBe('電話予約の移行');
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'reservations.imported' }, order: [['id', 'DESC']] });
		expect(log?.detail).toEqual({ reservations: 1, persons: 2, overCapacity: 1, reason: '電話予約の移行' });
	});

	it('R-S16 R-S01 a viewer may not import; no session is 401', async () => {
		await expect(run(HEADER, 'viewer')).rejects.toMatchObject({ status: 403 });
		const { ctx } = testContext(t.db);
		await expect(importReservations(ctx, null, { body: bytes(HEADER), encoding: 'auto' })).rejects.toMatchObject({ status: 401 });
	});
});
