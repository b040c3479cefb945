import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { cardHistory, changeCardStatuses } from '../../src/lib/server/cards/status.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'card_status');
});
afterAll(async () => t?.drop());

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

describe('card status changes by staff', () => {
	it('R-S08 R-L03 one card: status, history row (who, when, from, to, note), audit row, event after commit', async () => {
		const { ctx, events } = testContext(t.db);
		const card = await makeCard(t.db);
		const clerk = await principal('clerk');
		const s = await changeCardStatuses(ctx, clerk, { cardIds: [card.id], to: 'returned', note: '宛先不明で返戻' });
		expect(s).toEqual({ to: 'returned', changed: 1, unchanged: 0, refused: [], notFound: [] });
		await card.reload();
		expect(card.status).toBe('returned');
		const h = await cardHistory(ctx, clerk, card.id);
		expect(h.history).toEqual([{ kind: 'status', at: expect.any(String), actorType: 'staff', actorId: clerk.login, from: 'notice_sent', to: 'returned', note: '宛先不明で返戻', reservationId: null }]);
		expect(events).toEqual([{ type: 'cardStatusChanged', changes: [{ cardId: card.id, locationId: null, date: null, from: 'notice_sent', to: 'returned' }] }]);
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'cards.status_changed', targetId: card.id } });
		expect(log?.actorId).toBe(clerk.login);
		expect(log?.detail).toMatchObject({ to: 'returned', changed: 1 });
	});

	it('R-S08 bulk: one transaction; allowed cards change, cards already there are unchanged, refused ones are listed with reasons, unknown ids reported', async () => {
		const { ctx, events } = testContext(t.db);
		const a = await makeCard(t.db);
		const b = await makeCard(t.db, { status: 'returned' });
		const c = await makeCard(t.db, { status: 'issued' });
		const d = await makeCard(t.db, { status: 'cancelled' });
		const s = await changeCardStatuses(ctx, await principal('supervisor'), { cardIds: [a.id, b.id, c.id, d.id, '999999999'], to: 'cancelled', note: null });
		expect(s.changed).toBe(2);
		expect(s.unchanged).toBe(1);
		expect(s.refused).toEqual([{ cardId: c.id, from: 'issued', reason: 'not_allowed', message: 'その状態からは変更できません' }]);
		expect(s.notFound).toEqual(['999999999']);
		const statuses = await t.db.models.CardRecord.findAll({ where: { id: [a.id, b.id, c.id, d.id] }, order: [['id', 'ASC']] });
		expect(statuses.map((x) => x.status)).toEqual(['cancelled', 'cancelled', 'issued', 'cancelled']);
		expect(events[0]).toMatchObject({ type: 'cardStatusChanged', changes: [{ cardId: a.id }, { cardId: b.id }] });
	});

	it('R-S08 refused by hand: into 予約済 or 来庁 (booking owns those) and out of final states; nothing written', async () => {
		const { ctx, events } = testContext(t.db);
		const clerk = await principal('clerk');
		const a = await makeCard(t.db);
		const before = await t.db.models.CardStatusHistory.count();
		const s = await changeCardStatuses(ctx, clerk, { cardIds: [a.id], to: 'reserved' });
		expect(s.refused).toEqual([{ cardId: a.id, from: 'notice_sent', reason: 'booking_only', message: expect.stringContaining('予約') }]);
		expect(s.changed).toBe(0);
		expect(await t.db.models.CardStatusHistory.count()).toBe(before);
		expect(events).toEqual([]);
	});

	it('R-S08 R-L03 a card with a visit: 取消 by hand is refused (cancel the visit), 未来庁 is recorded and carries the visit’s location and day, so staff screens and boards of that day hear of it', async () => {
		const { ctx, events } = testContext(t.db);
		const loc = await makeLocation(t.db);
		const slot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 4);
		const r = await makeReservation(t.db, slot);
		const clerk = await principal('clerk');
		const keep = await changeCardStatuses(ctx, clerk, { cardIds: r.cardIds, to: 'cancelled' });
		expect(keep.refused).toEqual([{ cardId: r.cardIds[0], from: 'reserved', reason: 'has_visit', message: expect.stringContaining('予約を取り消して') }]);
		const s = await changeCardStatuses(ctx, clerk, { cardIds: r.cardIds, to: 'no_show', note: '来庁なし' });
		expect(s.changed).toBe(1);
		expect(events).toEqual([{ type: 'cardStatusChanged', changes: [{ cardId: r.cardIds[0], locationId: loc.id, date: '2026-12-01', from: 'reserved', to: 'no_show' }] }]);
		const [h] = await t.db.sequelize.query<{ reservation_id: string }>(`SELECT reservation_id::text FROM card_status_history WHERE card_record_id = :id`, {
			replacements: { id: r.cardIds[0] },
			type: QueryTypes.SELECT
		});
		expect(h.reservation_id).toBe(r.reservationId);
	});

	it('R-S08 two bulk changes at once over the same cards: no deadlock, each card changes once', async () => {
		const { ctx } = testContext(t.db);
		const cards = await Promise.all(Array.from({ length: 20 }, () => makeCard(t.db)));
		const ids = cards.map((c) => c.id);
		const clerk = await principal('clerk');
		const [x, y] = await Promise.all([
			changeCardStatuses(ctx, clerk, { cardIds: ids, to: 'returned' }),
			changeCardStatuses(ctx, clerk, { cardIds: [...ids].reverse(), to: 'returned' })
		]);
		expect(x.changed + y.changed).toBe(20);
		expect(x.unchanged + y.unchanged).toBe(20);
		const [{ n }] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM card_status_history WHERE card_record_id = ANY(:ids::bigint[])`, {
			replacements: { ids: `{${ids.join(',')}}` },
			type: QueryTypes.SELECT
		});
		expect(n).toBe(20);
	});

	it('R-S08 R-S01 a viewer may not change statuses; no session is 401; history needs a session and a real card', async () => {
		const { ctx } = testContext(t.db);
		const a = await makeCard(t.db);
		await expect(changeCardStatuses(ctx, await principal('viewer'), { cardIds: [a.id], to: 'returned' })).rejects.toMatchObject({ status: 403 });
		await expect(changeCardStatuses(ctx, null, { cardIds: [a.id], to: 'returned' })).rejects.toMatchObject({ status: 401 });
		await expect(cardHistory(ctx, null, a.id)).rejects.toMatchObject({ status: 401 });
		await expect(cardHistory(ctx, await principal('viewer'), '987654321')).rejects.toMatchObject({ status: 404 });
		await a.reload();
		expect(a.status).toBe('notice_sent');
	});
});
