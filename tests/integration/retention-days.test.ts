import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeLocation, makeReservation, makeSlot, purposeId } from '../harness/factories.ts';
import { retentionPreview, retentionRules, runRetention, saveRetentionRules, type RetentionCounts } from '../../src/lib/server/ops/retention.ts';
import { DAY_RULES } from '../../src/lib/server/ops/retention-rules.ts';
import { verifyChain } from '../../src/lib/server/audit/chain.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'retention_days');
});
afterAll(async () => t?.drop());

const admin: Principal = { userId: 1, login: 'admin', displayName: 'admin', role: 'admin', locationId: null, sessionId: 's' };
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const sql = async <T = Record<string, unknown>>(q: string, replacements: Record<string, unknown> = {}) => (await t.db.sequelize.query(q, { replacements }))[0] as T[];
const one = async (q: string, replacements: Record<string, unknown> = {}) => (await sql<{ v: unknown }>(q, replacements))[0]?.v;
const rows = (c: RetentionCounts) => Object.fromEntries(c.byDays.flatMap((d) => d.tables.map((x) => [`${d.rule}.${x.table}`, x.rows])));
const tokyoDate = (offsetDays: number) => new Date(Date.now() + 9 * 3_600_000 + offsetDays * DAY).toISOString().slice(0, 10);

describe('R-O09 retention by days: every table with personal data', () => {
	it('R-O09 the migration sets sensible defaults; a save keeps the bounds and is audited', async () => {
		const { ctx } = testContext(t.db);
		const r = await retentionRules(ctx);
		expect(r).toMatchObject({ linkDays: 30, holdDays: 30, mailDays: 90, noteDays: 730, openCardDays: 1825 });
		for (const d of DAY_RULES) {
			await expect(saveRetentionRules(ctx, admin, { reservationMonths: null, auditYears: null, [d.key]: d.min - 1 })).rejects.toMatchObject({
				status: 400,
				errors: [{ field: d.key }]
			});
			await expect(saveRetentionRules(ctx, admin, { reservationMonths: null, auditYears: null, [d.key]: d.max + 1 })).rejects.toMatchObject({ status: 400 });
		}
		// nothing half-written by the refused saves
		expect(await retentionRules(ctx)).toMatchObject({ linkDays: 30, reservationMonths: 24 });
		await saveRetentionRules(ctx, admin, { reservationMonths: null, auditYears: null, linkDays: 7 });
		expect(await retentionRules(ctx)).toMatchObject({ linkDays: 7, holdDays: 30, reservationMonths: null });
		const detail = await one(`SELECT detail AS v FROM audit_log WHERE action = 'retention.rules_changed' ORDER BY id DESC LIMIT 1`);
		expect(detail).toMatchObject({ linkDays: 7 });
	});

	it('R-O09 old rows go, recent rows and what a current booking still needs stay, in batches, each batch audited; the chain still verifies', async () => {
		const { ctx } = testContext(t.db);
		await saveRetentionRules(ctx, admin, { reservationMonths: null, auditYears: null, linkDays: 30, holdDays: 30, mailDays: 90, noteDays: 365, openCardDays: 730 });
		const loc = await makeLocation(t.db);
		const purpose = await purposeId(t.db);
		const slot = await makeSlot(t.db, loc.id, tokyoDate(10), '10:00', 5);
		const pastSlot = await makeSlot(t.db, loc.id, tokyoDate(-500), '10:00', 5);
		// a booking still to come: its card and everything about it stays, whatever its age
		const booked = await makeReservation(t.db, slot, 1);
		const bookedCard = booked.cardIds[0];
		const past = await makeReservation(t.db, pastSlot, 1);
		await sql(`UPDATE reservations SET status = 'completed' WHERE id = :id`, { id: past.reservationId });
		await sql(`UPDATE card_records SET status = 'issued' WHERE id = :id`, { id: past.cardIds[0] });

		// citizen_links
		const links: Record<string, string> = {};
		for (const [k, exp] of [['old', ago(40)], ['recent', ago(10)], ['live', ago(-0.01)]] as const) {
			links[k] = String(await one(`INSERT INTO citizen_links (id, email, expires_at, created_at) VALUES (gen_random_uuid(), :e, :x, :x) RETURNING id AS v`, { e: `${k}@example.jp`, x: exp }));
		}
		// citizen_sessions: expired long ago (goes), revoked long ago (goes), expired recently (stays),
		// expired long ago but still holding places (stays)
		const sess: Record<string, string> = {};
		for (const [k, exp, rev] of [
			['old', ago(40), null],
			['revoked', ago(-1), ago(40)],
			['recent', ago(5), null],
			['holding', ago(40), null]
		] as const) {
			sess[k] = String(
				await one(`INSERT INTO citizen_sessions (id, email, link_id, expires_at, revoked_at, created_at) VALUES (gen_random_uuid(), :e, :l, :x, :r, :c) RETURNING id AS v`, {
					e: `${k}@example.jp`,
					l: links.old,
					x: exp,
					r: rev,
					c: ago(41)
				})
			);
		}
		// holds: released long ago (goes), expired long ago unreleased (goes), released recently (stays), live (stays)
		const freeCard = await makeCard(t.db, { storageLocationId: loc.id });
		const holds: Record<string, string> = {};
		for (const [k, exp, rel, session] of [
			['released', ago(40), ago(40), sess.old],
			['expired', ago(35), null, null],
			['recent', ago(5), ago(5), sess.recent],
			['live', ago(-0.01), null, sess.holding]
		] as const) {
			holds[k] = String(
				await one(
					`INSERT INTO holds (id, location_id, purpose_id, slot_ids, party_size, expires_at, released_at, release_reason, citizen_session_id, card_ids, created_at)
					 VALUES (gen_random_uuid(), :loc, :p, ARRAY[:slot]::bigint[], 1, :x, :r, :reason, :s, ARRAY[:card]::bigint[], :c) RETURNING id AS v`,
					{ loc: loc.id, p: purpose, slot: slot.id, x: exp, r: rel, reason: rel ? 'cancelled' : null, s: session, card: k === 'live' ? freeCard.id : bookedCard, c: ago(41) }
				)
			);
		}
		// outbox and bulk-mail recipients: sent long ago (go), failed long ago (goes), sent recently (stays),
		// never sent yet though written long ago (stays)
		const bulk = String(await one(`INSERT INTO bulk_mails (subject, body, criteria, created_by) VALUES ('s', 'b', '{}', 'admin') RETURNING id AS v`));
		const mail: Record<string, string> = {};
		for (const [k, pub, failed] of [
			['sent', ago(100), null],
			['failed', null, ago(100)],
			['recent', ago(10), null],
			['pending', null, null]
		] as const) {
			mail[k] = String(
				await one(`INSERT INTO outbox (topic, payload, created_at, published_at, failed_at) VALUES ('bulk.mail', CAST(:pl AS jsonb), :c, :p, :f) RETURNING id AS v`, {
					pl: JSON.stringify({ bulkMailId: bulk, reservationId: k === 'sent' ? past.reservationId : booked.reservationId }),
					c: ago(101),
					p: pub,
					f: failed
				})
			);
		}
		await sql(`INSERT INTO bulk_mail_recipients (bulk_mail_id, reservation_id, outbox_id) VALUES (:b, :r1, :o1), (:b, :r2, :o2)`, {
			b: bulk,
			r1: past.reservationId,
			o1: mail.sent,
			r2: booked.reservationId,
			o2: mail.recent
		});
		// free text: old on a card with no booking (goes), old on the booked card (stays), recent (stays)
		const plainCard = await makeCard(t.db, { storageLocationId: loc.id, status: 'issued' });
		for (const [card, at] of [
			[plainCard.id, ago(400)],
			[bookedCard, ago(400)],
			[plainCard.id, ago(10)]
		] as const) {
			await sql(`INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, note, at) VALUES (:c, 'notice_sent', 'issued', 'staff', 'clerk', :n, :at)`, { c: card, n: `メモ ${at}`, at });
			await sql(`INSERT INTO person_notes (card_record_id, body, author, created_at) VALUES (:c, :n, 'clerk', :at)`, { c: card, n: `メモ ${at}`, at });
			await sql(`INSERT INTO card_record_changes (card_record_id, source, actor_id, at, old_values, new_values) VALUES (:c, 'staff', 'clerk', :at, '{"address":"旧"}', '{"address":"新"}')`, { c: card, at });
		}
		// a staff override reason: on a past booking written long ago (goes), on the coming booking (stays)
		await sql(`UPDATE reservations SET override_reason = '混雑のため', created_at = :at WHERE id IN (:ids)`, { at: ago(400), ids: [past.reservationId, booked.reservationId] });
		// cards never issued: untouched long ago (erased), the booked card and the held card (stay), recent (stays)
		const staleCard = await makeCard(t.db, { storageLocationId: loc.id });
		const recentCard = await makeCard(t.db, { storageLocationId: loc.id });
		await sql(`UPDATE card_records SET updated_at = :at, gender = 1, address = '市内' WHERE id IN (:ids)`, { at: ago(800), ids: [staleCard.id, bookedCard, freeCard.id] });
		await sql(`INSERT INTO person_notes (card_record_id, body, author, created_at) VALUES (:c, '最新のメモ', 'clerk', now())`, { c: staleCard.id });

		const dry = await retentionPreview(ctx, admin);
		expect(rows(dry)).toEqual({
			'linkDays.citizen_links': 1,
			'linkDays.citizen_sessions': 2,
			'holdDays.holds': 2,
			'mailDays.bulk_mail_recipients': 1,
			'mailDays.outbox': 2,
			'noteDays.card_status_history': 1,
			'noteDays.person_notes': 1,
			'noteDays.card_record_changes': 1,
			'noteDays.reservations': 1,
			'openCardDays.card_records': 1
		});
		// a dry run changes nothing
		expect(rows(await retentionPreview(ctx, admin))).toEqual(rows(dry));

		// batches of one: every rule needs more than one
		const done = await runRetention(ctx, { dryRun: false, actor: { type: 'system', id: null }, batch: 1 });
		expect(rows(done)).toEqual(rows(dry));

		expect((await sql<{ id: string }>(`SELECT id FROM citizen_links ORDER BY email`)).map((r) => r.id).sort()).toEqual([links.live, links.recent].sort());
		expect((await sql<{ id: string }>(`SELECT id FROM citizen_sessions`)).map((r) => r.id).sort()).toEqual([sess.recent, sess.holding].sort());
		expect((await sql<{ id: string }>(`SELECT id FROM holds`)).map((r) => r.id).sort()).toEqual([holds.recent, holds.live].sort());
		expect((await sql<{ id: string }>(`SELECT id::text FROM outbox`)).map((r) => r.id).sort()).toEqual([mail.recent, mail.pending].sort());
		expect(await sql(`SELECT outbox_id::text AS o FROM bulk_mail_recipients`)).toEqual([{ o: mail.recent }]);
		expect(await sql(`SELECT card_record_id::text AS c, note IS NOT NULL AS kept FROM card_status_history ORDER BY id`)).toEqual([
			{ c: String(plainCard.id), kept: false },
			{ c: bookedCard, kept: true },
			{ c: String(plainCard.id), kept: true }
		]);
		expect(await sql(`SELECT card_record_id::text AS c FROM person_notes ORDER BY id`)).toEqual([{ c: bookedCard }, { c: String(plainCard.id) }]);
		expect(await sql(`SELECT card_record_id::text AS c FROM card_record_changes ORDER BY id`)).toEqual([{ c: bookedCard }, { c: String(plainCard.id) }]);
		expect(await sql(`SELECT id::text, override_reason AS r FROM reservations WHERE id IN (:ids) ORDER BY id`, { ids: [past.reservationId, booked.reservationId] })).toEqual([
			{ id: booked.reservationId, r: '混雑のため' },
			{ id: past.reservationId, r: null }
		]);
		const cards = await sql<{ id: string; name_kanji: string; name_kana: string; address: string; gender: number | null; notice_id: string; b: string }>(
			`SELECT id::text, name_kanji, name_kana, address, gender, notice_id, birth_date::text AS b FROM card_records WHERE id IN (:ids)`,
			{ ids: [staleCard.id, bookedCard, freeCard.id, recentCard.id] }
		);
		const byId = Object.fromEntries(cards.map((c) => [c.id, c]));
		expect(byId[String(staleCard.id)]).toEqual({ id: String(staleCard.id), name_kanji: '（削除済み）', name_kana: '', address: '', gender: null, notice_id: `X${staleCard.id}`, b: '1900-01-01' });
		for (const kept of [bookedCard, String(freeCard.id), String(recentCard.id)]) expect(byId[kept].name_kanji).toBe('テスト 太郎');
		// the erased card's notes went with it, even a recent one
		expect(await one(`SELECT count(*)::int AS v FROM person_notes WHERE card_record_id = :c`, { c: staleCard.id })).toBe(0);
		// the booking still to come is whole
		expect(await one(`SELECT count(*)::int AS v FROM reservation_persons WHERE reservation_id = :r AND active`, { r: booked.reservationId })).toBe(1);

		// one audit row per batch, no personal data in it
		const audits = await sql<{ detail: { rule: string; table: string; rows: number } }>(`SELECT detail FROM audit_log WHERE action = 'retention.purged_batch' ORDER BY id`);
		expect(audits.length).toBe(13);
		expect(audits.every((a) => a.detail.rows === 1)).toBe(true);
		expect(JSON.stringify(audits)).not.toMatch(/example\.jp|テスト|メモ/);
		expect((await verifyChain(t.db)).intact).toBe(true);

		// nothing left to purge
		expect(Object.values(rows(await retentionPreview(ctx, admin))).every((n) => n === 0)).toBe(true);
	});

	it('R-O09 a rule left empty keeps that data without limit', async () => {
		const { ctx } = testContext(t.db);
		await saveRetentionRules(ctx, admin, { reservationMonths: null, auditYears: null, linkDays: null });
		await sql(`INSERT INTO citizen_links (id, email, expires_at, created_at) VALUES (gen_random_uuid(), 'keep@example.jp', :x, :x)`, { x: ago(3000) });
		const dry = await retentionPreview(ctx, admin);
		expect(dry.byDays.find((d) => d.rule === 'linkDays')).toEqual({ rule: 'linkDays', before: null, tables: [{ table: 'citizen_links', rows: 0 }, { table: 'citizen_sessions', rows: 0 }] });
		await runRetention(ctx, { dryRun: false, actor: { type: 'system', id: null } });
		expect(await one(`SELECT count(*)::int AS v FROM citizen_links WHERE email = 'keep@example.jp'`)).toBe(1);
	});

	it('R-O09 the bookings rule too goes in batches, each audited; a booking still to come keeps its persons and address', async () => {
		const { ctx } = testContext(t.db);
		await saveRetentionRules(ctx, admin, { reservationMonths: 12, auditYears: null, linkDays: null, holdDays: null, mailDays: null, noteDays: null, openCardDays: null });
		const loc = await makeLocation(t.db);
		const old = [];
		for (const hhmm of ['09:00', '09:30', '10:00']) {
			const r = await makeReservation(t.db, await makeSlot(t.db, loc.id, tokyoDate(-800), hhmm, 5), 1);
			await sql(`UPDATE reservations SET email = 'old@example.jp', status = 'completed' WHERE id = :id`, { id: r.reservationId });
			old.push(r.reservationId);
		}
		const coming = await makeReservation(t.db, await makeSlot(t.db, loc.id, tokyoDate(20), '09:00', 5), 1);
		await sql(`UPDATE reservations SET email = 'new@example.jp' WHERE id = :id`, { id: coming.reservationId });
		const before = Number(await one(`SELECT count(*)::int AS v FROM audit_log WHERE action = 'retention.purged_batch'`));

		const done = await runRetention(ctx, { dryRun: false, actor: { type: 'system', id: null }, batch: 2 });
		// with the visit of 500 days ago the test above left (one person, no address)
		expect(done.reservations).toBe(4);
		expect(await one(`SELECT count(*)::int AS v FROM reservations WHERE id IN (:ids) AND email IS NULL AND NOT EXISTS (SELECT 1 FROM reservation_persons p WHERE p.reservation_id = reservations.id)`, { ids: old })).toBe(3);
		expect(await sql(`SELECT email, (SELECT count(*)::int FROM reservation_persons p WHERE p.reservation_id = r.id) AS n FROM reservations r WHERE id = :id`, { id: coming.reservationId })).toEqual([{ email: 'new@example.jp', n: 1 }]);
		// 4 persons and 3 addresses in batches of 2
		const batches = await sql<{ detail: { rule: string; table: string; rows: number } }>(`SELECT detail FROM audit_log WHERE action = 'retention.purged_batch' ORDER BY id OFFSET :n`, { n: before });
		expect(batches.map((b) => [b.detail.rule, b.detail.table, b.detail.rows])).toEqual([
			['reservationMonths', 'reservation_persons', 2],
			['reservationMonths', 'reservation_persons', 2],
			['reservationMonths', 'reservations', 2],
			['reservationMonths', 'reservations', 1]
		]);
		expect((await retentionPreview(ctx, admin)).reservations).toBe(0);
	});
});
