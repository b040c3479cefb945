import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { checkIn, checkInByCode } from '../../src/lib/server/checkin/checkin.ts';
import { markIssued, markNeedsRedo, undoIssue } from '../../src/lib/server/checkin/cards.ts';
import { personNotes, setPersonNote } from '../../src/lib/server/notes/notes.ts';
import { searchReservations } from '../../src/lib/server/reservations/search.ts';
import { cancelStaffReservation } from '../../src/lib/server/booking/cancel.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

// 2026-11-25 10:05 in Tokyo
const NOW = new Date('2026-11-25T01:05:00Z');
const TODAY = '2026-11-25';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'counter');
});
afterAll(async () => t?.drop());

async function principal(role: Role, locationId: number | null = null): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId, locations: locationId === null ? null : [locationId], sessionId: 'test' };
}

async function visit(date = TODAY, persons = 1, hhmm = '10:00') {
	const loc = await makeLocation(t.db);
	const slot = await makeSlot(t.db, loc.id, date, hhmm, 6);
	const r = await makeReservation(t.db, slot, persons);
	const [{ checkin_code: code }] = await t.db.sequelize.query<{ checkin_code: string }>(`SELECT checkin_code FROM reservations WHERE id = :id`, {
		replacements: { id: r.reservationId },
		type: QueryTypes.SELECT
	});
	return { loc, slot, code, ...r };
}

const statusOf = async (cardId: string) => (await t.db.models.CardRecord.findByPk(cardId))!.status;
const reservationStatus = async (id: string) => (await t.db.models.Reservation.findByPk(id))!.status;

describe('check-in by QR code (R-S15)', () => {
	it('R-S15 R-L03 a scanned code checks today\'s visit in: slot count, cards 来庁 with history, audit; answers persons with storage; events after commit', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY, 2);
		await t.db.sequelize.query(`UPDATE card_records SET box_position = 'A-12' WHERE id = :id`, { replacements: { id: v.cardIds[0] } });
		const clerk = await principal('clerk');
		// a reader may add spaces or send lower case
		const r = await checkInByCode(ctx, clerk, { code: ` ${v.code.toLowerCase()}\n` });
		expect(r.checkedIn).toBe(true);
		expect(r.reservation).toMatchObject({ id: v.reservationId, status: 'active', date: TODAY, startsAt: `${TODAY}T10:00:00+09:00`, location: { id: v.loc.id } });
		expect(r.reservation.persons).toHaveLength(2);
		expect(r.reservation.persons[0]).toMatchObject({ cardId: v.cardIds[0], status: 'checked_in', nameKana: 'テスト タロウ', storage: { locationId: v.loc.id, boxPosition: 'A-12' }, needsTransfer: false });
		await v.slot.reload();
		expect(v.slot.checkedIn).toBe(2);
		const history = await t.db.models.CardStatusHistory.findAll({ where: { reservationId: v.reservationId } });
		expect(history.map((h) => [h.fromStatus, h.toStatus, h.actorId])).toEqual([
			['reserved', 'checked_in', clerk.login],
			['reserved', 'checked_in', clerk.login]
		]);
		expect(await t.db.models.AuditLog.count({ where: { action: 'reservation.checked_in', targetId: v.reservationId } })).toBe(1);
		expect(events.map((e) => e.type)).toEqual(['slotsChanged', 'cardStatusChanged']);

		// scanning again answers the booking and changes nothing
		events.length = 0;
		const again = await checkInByCode(ctx, clerk, { code: v.code });
		expect([again.checkedIn, again.alreadyCheckedIn]).toEqual([false, true]);
		await v.slot.reload();
		expect(v.slot.checkedIn).toBe(2);
		expect(events).toEqual([]);
	});

	it('R-S15 a future or past day, an unknown code, a malformed code and a cancelled booking are refused clearly and change nothing', async () => {
		const { ctx, events } = testContext(t.db, { now: NOW });
		const clerk = await principal('clerk');
		const future = await visit('2026-11-27');
		const e1 = await checkInByCode(ctx, clerk, { code: future.code }).catch((e) => e);
		expect(e1).toMatchObject({ status: 409, extra: { reason: 'not_yet', date: '2026-11-27' } });
		expect(e1.message).toContain('2026-11-27');
		expect(e1.message).toContain('当日');
		const past = await visit('2026-11-20');
		expect(await checkInByCode(ctx, clerk, { code: past.code }).catch((e) => e)).toMatchObject({ status: 409, extra: { reason: 'past' } });
		expect(await checkInByCode(ctx, clerk, { code: 'MN' + '0'.repeat(32) }).catch((e) => e)).toMatchObject({ status: 404 });
		const bad = await checkInByCode(ctx, clerk, { code: 'ｈｔｔｐｓ：//example' }).catch((e) => e);
		expect(bad).toMatchObject({ status: 400, errors: [{ field: 'code' }] });
		const cancelled = await visit(TODAY);
		await cancelStaffReservation(ctx, clerk, { reservationId: cancelled.reservationId });
		events.length = 0;
		const e4 = await checkInByCode(ctx, clerk, { code: cancelled.code }).catch((e) => e);
		expect(e4).toMatchObject({ status: 409, extra: { reason: 'cancelled' } });
		expect(e4.message).toContain('取り消されています');
		for (const v of [future, past]) expect(await statusOf(v.cardIds[0])).toBe('reserved');
		expect(events).toEqual([]);
		// the by-id check-in refuses a future day too (the visit list no longer offers it)
		expect(await checkIn(ctx, clerk, { reservationId: future.reservationId }).catch((e) => e)).toMatchObject({ status: 409, extra: { reason: 'not_yet' } });
	});

	it('R-S15 a full-width code typed through an IME is understood; a clerk assigned to another location is told where the booking is', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY);
		const other = await makeLocation(t.db);
		const elsewhere = await checkInByCode(ctx, await principal('clerk', other.id), { code: v.code }).catch((e) => e);
		expect(elsewhere).toMatchObject({ status: 403, extra: { reason: 'other_location' } });
		expect(elsewhere.message).toContain(v.loc.nameJa);
		const wide = v.code.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
		expect((await checkInByCode(ctx, await principal('clerk', v.loc.id), { code: wide })).checkedIn).toBe(true);
	});

	it('R-S01 check-in needs a clerk: a viewer is 403, no session 401', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY);
		await expect(checkInByCode(ctx, await principal('viewer'), { code: v.code })).rejects.toMatchObject({ status: 403 });
		await expect(checkInByCode(ctx, null, { code: v.code })).rejects.toMatchObject({ status: 401 });
		expect(await statusOf(v.cardIds[0])).toBe('reserved');
	});
});

describe('per person: 交付済, undo, 不備・再手続 (R-S15, R-S08)', () => {
	it('R-S08 交付済 can be undone within 10 minutes (audited), not after; the visit completes when every person has a result', async () => {
		const { ctx, clock, events } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY, 2);
		const clerk = await principal('clerk');
		await checkInByCode(ctx, clerk, { code: v.code });
		await markIssued(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0] });
		expect(await statusOf(v.cardIds[0])).toBe('issued');
		await expect(markIssued(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0] })).rejects.toMatchObject({ status: 409 });

		clock.now = new Date(NOW.getTime() + 9 * 60_000);
		events.length = 0;
		expect(await undoIssue(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0] })).toEqual({ cardId: v.cardIds[0], status: 'checked_in' });
		expect(await statusOf(v.cardIds[0])).toBe('checked_in');
		expect(events[1]).toMatchObject({ type: 'cardStatusChanged', changes: [{ cardId: v.cardIds[0], from: 'issued', to: 'checked_in' }] });
		expect(await t.db.models.AuditLog.count({ where: { action: 'card.issue_undone', targetId: v.cardIds[0] } })).toBe(1);

		await markIssued(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0] });
		clock.now = new Date(clock.now.getTime() + 11 * 60_000);
		const late = await undoIssue(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0] }).catch((e) => e);
		expect(late).toMatchObject({ status: 409, extra: { reason: 'undo_expired' } });
		expect(late.message).toContain('10分');
		expect(await statusOf(v.cardIds[0])).toBe('issued');

		expect(await reservationStatus(v.reservationId)).toBe('active');
		await markNeedsRedo(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[1], note: '本人確認書類不足（再来庁）' });
		expect(await statusOf(v.cardIds[1])).toBe('needs_redo');
		expect(await reservationStatus(v.reservationId)).toBe('completed');
		const h = await t.db.models.CardStatusHistory.findOne({ where: { cardRecordId: v.cardIds[1], toStatus: 'needs_redo' } });
		expect([h?.note, h?.actorId]).toEqual(['本人確認書類不足（再来庁）', clerk.login]);
		// the note stays in the card's history, out of the 操作ログ
		const log = await t.db.models.AuditLog.findOne({ where: { action: 'card.needs_redo', targetId: v.cardIds[1] } });
		expect(JSON.stringify(log?.detail)).not.toContain('本人確認');
	});

	it('R-S15 不備・再手続 needs a note and a checked-in card', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY);
		const clerk = await principal('clerk');
		await expect(markNeedsRedo(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0], note: '不足' })).rejects.toMatchObject({ status: 409 });
		await checkIn(ctx, clerk, { reservationId: v.reservationId });
		await expect(markNeedsRedo(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0], note: '  ' })).rejects.toMatchObject({ status: 400, errors: [{ field: 'note' }] });
		await expect(markNeedsRedo(ctx, await principal('viewer'), { reservationId: v.reservationId, cardId: v.cardIds[0], note: 'x' })).rejects.toMatchObject({ status: 403 });
		expect(await statusOf(v.cardIds[0])).toBe('checked_in');
	});
});

describe('a card sent back for re-procedure can be booked again (R-S08, R-C12)', () => {
	it('R-S08 R-C12 a person marked 不備・再手続 in a finished visit is booked again for another day; the finished visit keeps its record', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY, 1);
		const clerk = await principal('clerk');
		await checkInByCode(ctx, clerk, { code: v.code });
		await markNeedsRedo(ctx, clerk, { reservationId: v.reservationId, cardId: v.cardIds[0], note: '暗証番号未決定' });
		expect(await reservationStatus(v.reservationId)).toBe('completed');
		const card = (await t.db.models.CardRecord.findByPk(v.cardIds[0]))!;
		const later = await makeSlot(t.db, v.loc.id, '2026-11-30', '10:00', 6);
		const again = await createStaffReservation(ctx, clerk, { slotId: later.id, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }] });
		expect(again.persons.map((p) => p.cardId)).toEqual([v.cardIds[0]]);
		expect(await statusOf(v.cardIds[0])).toBe('reserved');
		// the finished visit still shows who came and what happened
		expect(await reservationStatus(v.reservationId)).toBe('completed');
		const h = await t.db.models.CardStatusHistory.findOne({ where: { cardRecordId: v.cardIds[0], toStatus: 'needs_redo', reservationId: v.reservationId } });
		expect(h?.note).toBe('暗証番号未決定');
	});
});

describe('staff notes (R-S14)', () => {
	it('R-S14 a note is editable at any time, keeps its history (who, when, text), and shows at the counter', async () => {
		const { ctx, clock } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY);
		const [a, b] = [await principal('clerk'), await principal('supervisor')];
		await setPersonNote(ctx, a, { cardId: v.cardIds[0], body: '車椅子で来庁予定' });
		clock.now = new Date(NOW.getTime() + 60_000);
		const n = await setPersonNote(ctx, b, { cardId: v.cardIds[0], body: '車椅子で来庁予定。通訳（英語）同伴' });
		expect(n.current).toMatchObject({ body: '車椅子で来庁予定。通訳（英語）同伴', author: b.login, at: '2026-11-25T10:06:00+09:00' });
		expect(n.history.map((h) => [h.body, h.author])).toEqual([
			['車椅子で来庁予定。通訳（英語）同伴', b.login],
			['車椅子で来庁予定', a.login]
		]);
		// unchanged text writes nothing; an empty text clears the note but keeps the history
		await setPersonNote(ctx, b, { cardId: v.cardIds[0], body: '車椅子で来庁予定。通訳（英語）同伴 ' });
		const cleared = await setPersonNote(ctx, a, { cardId: v.cardIds[0], body: '' });
		expect(cleared.current).toBeNull();
		expect(cleared.history).toHaveLength(3);
		await setPersonNote(ctx, a, { cardId: v.cardIds[0], body: '書類を事前確認済み' });
		const scan = await checkInByCode(ctx, a, { code: v.code });
		expect(scan.reservation.persons[0].note).toMatchObject({ body: '書類を事前確認済み', author: a.login });
		// audited without the text
		const logs = await t.db.models.AuditLog.findAll({ where: { targetType: 'card', targetId: v.cardIds[0] } });
		expect(logs.map((l) => l.action)).toEqual(['person_note.saved', 'person_note.saved', 'person_note.cleared', 'person_note.saved']);
		expect(JSON.stringify(logs.map((l) => l.detail))).not.toContain('車椅子');
	});

	it('R-S14 R-S01 a viewer reads notes but may not write; bad input is refused; an unknown card is 404', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit(TODAY);
		const viewer = await principal('viewer');
		expect(await personNotes(ctx, viewer, v.cardIds[0])).toMatchObject({ current: null, history: [] });
		await expect(setPersonNote(ctx, viewer, { cardId: v.cardIds[0], body: 'x' })).rejects.toMatchObject({ status: 403 });
		await expect(setPersonNote(ctx, null, { cardId: v.cardIds[0], body: 'x' })).rejects.toMatchObject({ status: 401 });
		await expect(setPersonNote(ctx, await principal('clerk'), { cardId: v.cardIds[0], body: 'あ'.repeat(1001) })).rejects.toMatchObject({ status: 400 });
		await expect(setPersonNote(ctx, await principal('clerk'), { cardId: '999999999', body: 'x' })).rejects.toMatchObject({ status: 404 });
		expect(await t.db.sequelize.query(`SELECT 1 FROM person_notes WHERE card_record_id = :id`, { replacements: { id: v.cardIds[0] }, type: QueryTypes.SELECT })).toEqual([]);
	});
});

describe('finding bookings (R-S04, R-S09)', () => {
	it('R-S09 a booking is found by its number (with or without hyphen), QR code, notice ID, and name kana in hiragana or katakana', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const v = await visit('2026-11-30', 2);
		await t.db.sequelize.query(`UPDATE card_records SET name_kana = 'ヤマダ ハナコ', notice_id = :nid WHERE id = :id`, { replacements: { id: v.cardIds[1], nid: '123456789012' } });
		const bn = '8765-4321';
		await t.db.sequelize.query(`UPDATE reservations SET booking_number = :bn WHERE id = :id`, { replacements: { id: v.reservationId, bn } });
		const viewer = await principal('viewer');
		const ids = async (q: string) => (await searchReservations(ctx, viewer, { q, limit: 20 })).items.map((i) => i.id);
		expect(await ids(bn)).toContain(v.reservationId);
		expect(await ids(bn.replace('-', ''))).toContain(v.reservationId);
		expect(await ids(v.code)).toEqual([v.reservationId]);
		expect(await ids('123456789012')).toEqual([v.reservationId]);
		expect(await ids('やまだ　はなこ')).toEqual([v.reservationId]);
		expect(await ids('ヤマダハナコ')).toEqual([v.reservationId]);
		expect(await ids('%')).toEqual([]);
		expect(await ids('_')).toEqual([]);
		const found = (await searchReservations(ctx, viewer, { q: 'ヤマダ', limit: 5 })).items[0];
		expect(found).toMatchObject({ bookingNumber: bn, date: '2026-11-30', locationNameJa: v.loc.nameJa, partySize: 2 });
		expect(found.persons.map((p) => p.nameKana)).toEqual(['テスト タロウ', 'ヤマダ ハナコ']);
		// a location and day without a term lists that day
		expect((await searchReservations(ctx, viewer, { locationId: v.loc.id, date: '2026-11-30', limit: 5 })).items.map((i) => i.id)).toEqual([v.reservationId]);
		await expect(searchReservations(ctx, null, { q: 'x', limit: 5 })).rejects.toMatchObject({ status: 401 });
	});
});

describe('wall board before opening (R-L02)', () => {
	it('R-L02 before the first slot the board knows the opening time and shows the first hours, not "closed for the day"', async () => {
		const { ctx } = testContext(t.db, { now: new Date('2026-11-25T22:00:00Z') }); // 07:00 on the 26th in Tokyo
		const loc = await makeLocation(t.db);
		for (const hhmm of ['08:30', '09:00', '13:00']) await makeSlot(t.db, loc.id, '2026-11-26', hhmm, 3);
		const { boardCounters } = await import('../../src/lib/server/board/counters.ts');
		const c = await boardCounters(ctx, loc.id);
		expect([c.opensAt, c.closesAt, c.slotCount]).toEqual(['08:30', '13:30', 3]);
		expect(c.hours.map((h) => h.start)).toEqual(['08:00', '09:00']);
		expect(c.remainingToday).toBe(9);
		const closed = await boardCounters(ctx, (await makeLocation(t.db)).id);
		expect([closed.opensAt, closed.hours]).toEqual([null, []]);
	});
});
