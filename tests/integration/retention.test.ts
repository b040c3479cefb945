import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot } from '../harness/factories.ts';
import { retentionPreview, retentionPurgeNow, saveRetentionRules } from '../../src/lib/server/ops/retention.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import { sealNow } from '../../src/lib/server/audit/seal.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'retention');
});
afterAll(async () => t?.drop());

const admin: Principal = { userId: 1, login: 'admin', displayName: 'admin', role: 'admin', locationId: null, sessionId: 's' };

describe('R-O09 retention', () => {
	it('R-O09 a dry run counts first; the purge keeps old bookings as counts, erases old final cards, drops audit rows past the rule, and the chain still verifies', async () => {
		const { ctx } = testContext(t.db);
		// three old audit rows first (the chain is in commit order), then everything else
		for (const at of ['2021-01-01', '2022-01-01', '2023-01-01']) {
			await t.db.sequelize.query(`INSERT INTO audit_log (at, actor_type, actor_id, action) VALUES (:at, 'system', null, 'test.old')`, { replacements: { at } });
		}
		await saveRetentionRules(ctx, admin, { reservationMonths: 12, auditYears: 2 });
		const loc = await makeLocation(t.db);
		const oldSlot = await makeSlot(t.db, loc.id, '2023-06-01', '10:00', 5);
		const newSlot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 5);
		const old = await makeReservation(t.db, oldSlot, 1);
		const fresh = await makeReservation(t.db, newSlot, 1);
		await t.db.sequelize.query(`UPDATE reservations SET email = 'old@example.jp' WHERE id = :id`, { replacements: { id: old.reservationId } });
		await t.db.sequelize.query(`UPDATE card_records SET status = 'issued', updated_at = '2023-06-02' WHERE id = :id`, { replacements: { id: old.cardIds[0] } });
		// the purge cuts sealed rows only (by chain position): seal what was written, as the sealer would shortly
		await sealNow(t.db);
		expect((await verifyChain(t.db)).intact).toBe(true);

		const dry = await retentionPreview(ctx, admin);
		expect(dry).toMatchObject({ reservations: 1, cards: 1 });
		expect(dry.auditRows).toBe(3);
		// a dry run changes nothing
		expect((await retentionPreview(ctx, admin)).reservations).toBe(1);

		const done = await retentionPurgeNow(ctx, admin);
		expect(done).toEqual(dry);
		const [[r]] = (await t.db.sequelize.query(`SELECT email, party_size, (SELECT count(*)::int FROM reservation_persons WHERE reservation_id = :id) AS persons FROM reservations WHERE id = :id`, {
			replacements: { id: old.reservationId }
		})) as [{ email: string | null; party_size: number; persons: number }[], unknown];
		expect(r).toEqual({ email: null, party_size: 1, persons: 0 });
		const [[card]] = (await t.db.sequelize.query(`SELECT name_kanji, name_kana, notice_id, birth_date::text AS b FROM card_records WHERE id = :id`, { replacements: { id: old.cardIds[0] } })) as [
			{ name_kanji: string; name_kana: string; notice_id: string; b: string }[],
			unknown
		];
		expect(card).toEqual({ name_kanji: '（削除済み）', name_kana: '', notice_id: `X${old.cardIds[0]}`, b: '1900-01-01' });
		const [[kept]] = (await t.db.sequelize.query(`SELECT count(*)::int AS n FROM reservation_persons WHERE reservation_id = :id`, { replacements: { id: fresh.reservationId } })) as [{ n: number }[], unknown];
		expect(kept.n).toBe(1);
		const [[left]] = (await t.db.sequelize.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.old'`)) as [{ n: number }[], unknown];
		expect(left.n).toBe(0);
		const report = await verifyChain(t.db);
		expect(report.intact, JSON.stringify(report.firstBreak)).toBe(true);
		expect(await retentionPreview(ctx, admin)).toMatchObject({ reservations: 0, cards: 0, auditRows: 0 });
	});

	it('R-O09 R-O03 outside the purge, and for rows younger than a year, the log stays append-only; only admins set rules', async () => {
		const { ctx } = testContext(t.db);
		await expect(t.db.sequelize.query(`DELETE FROM audit_log WHERE action = 'retention.rules_changed'`)).rejects.toThrow(/append-only/);
		await expect(
			t.db.sequelize.transaction(async (tx) => {
				await t.db.sequelize.query(`SET LOCAL mynumber.audit_purge = 'on'`, { transaction: tx });
				await t.db.sequelize.query(`DELETE FROM audit_log WHERE action = 'retention.rules_changed'`, { transaction: tx });
			})
		).rejects.toThrow(/append-only/);
		await expect(saveRetentionRules(ctx, { ...admin, role: 'supervisor' }, { reservationMonths: 1, auditYears: 1 })).rejects.toMatchObject({ status: 403 });
		await expect(saveRetentionRules(ctx, admin, { reservationMonths: 0, auditYears: 1 })).rejects.toMatchObject({ status: 400 });
	});
});
