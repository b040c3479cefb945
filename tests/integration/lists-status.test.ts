import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeReservation, makeSlot, makeStaff } from '../harness/factories.ts';
import { exportList, type ExportInput } from '../../src/lib/server/lists/export.ts';
import { checkIn } from '../../src/lib/server/checkin/checkin.ts';
import { markIssued, markNeedsRedo } from '../../src/lib/server/checkin/cards.ts';
import { markNoShows } from '../../src/lib/server/noshow/mark.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

/**
 * R-S10: each person's row on the lists carries that person's own status, the visit's label is
 * read from its persons, and the pull list holds only cards still to fetch. Driven through the
 * counter's real use cases (check-in, 交付済, 不備) and read back from the CSV and the PDF's text.
 */
let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'lists_status');
});
afterAll(async () => t?.drop());

// 2026-12-07 (Mon) 10:30 in Tokyo
const NOW = new Date('2026-12-07T01:30:00Z');
const DAY = '2026-12-07';

let clerk: Principal;
let loc: { id: number };
const names: Record<string, string> = {};
const base = (over: Partial<ExportInput>): ExportInput => ({ kind: 'reservations', locationId: loc.id, from: DAY, to: DAY, format: 'csv', encoding: 'utf-8', ...over });
const bytes = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());
const csv = async (over: Partial<ExportInput>) => parse((await bytes((await exportList(testContext(t.db, { now: NOW }).ctx, clerk, base(over))).body)).subarray(3).toString('utf8')) as string[][];

async function pdfText(buf: Buffer): Promise<string> {
	const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
	const task = pdfjs.getDocument({ data: new Uint8Array(buf), useSystemFonts: false });
	const doc = await task.promise;
	const lines: string[] = [];
	for (let i = 1; i <= doc.numPages; i++) {
		const c = await (await doc.getPage(i)).getTextContent();
		lines.push(c.items.map((x) => ('str' in x ? x.str : '')).join('\n'));
	}
	await task.destroy();
	return lines.join('\n');
}

/** A visit at 09:00 + n×30 min whose persons are named `${label}-${i}` (made-up names). */
async function visit(label: string, persons: number, slotAt: string) {
	const slot = await makeSlot(t.db, loc.id, DAY, slotAt, 5);
	const r = await makeReservation(t.db, slot, persons);
	for (const [i, id] of r.cardIds.entries()) {
		names[`${label}${i}`] = `${label}${i} 花子`;
		await t.db.sequelize.query(`UPDATE card_records SET name_kanji = :n, box_position = :b WHERE id = :id`, { replacements: { n: `${label}${i} 花子`, b: `箱${slotAt.slice(0, 2)}-${i}`, id } });
	}
	return r;
}

/** The rows of one visit in the reservations CSV: [name, 予約の状態, 状態] */
const byName = (rows: string[][]) => Object.fromEntries(rows.slice(1).map((r) => [r[3], [r[7], r[8]]]));

describe('R-S10 lists: each person their own status', () => {
	let mixed: Awaited<ReturnType<typeof visit>>, partial: Awaited<ReturnType<typeof visit>>, arrived: Awaited<ReturnType<typeof visit>>;

	beforeAll(async () => {
		loc = await makeLocation(t.db, { nameJa: '本庁舎' });
		const u = await makeStaff(t.db, 'clerk');
		clerk = { userId: u.id, login: u.login, displayName: u.displayName, role: 'clerk', locationId: null, sessionId: 'test' };
		const { ctx } = testContext(t.db, { now: NOW });
		// a household of two: one card handed over, one 不備 → the visit is finished
		mixed = await visit('完了', 2, '09:00');
		await checkIn(ctx, clerk, { reservationId: mixed.reservationId });
		await markIssued(ctx, clerk, { reservationId: mixed.reservationId, cardId: mixed.cardIds[0] });
		await markNeedsRedo(ctx, clerk, { reservationId: mixed.reservationId, cardId: mixed.cardIds[1], note: '書類不足' });
		// a household of two at the counter: one handed over, one still waiting for theirs
		partial = await visit('途中', 2, '09:30');
		await checkIn(ctx, clerk, { reservationId: partial.reservationId });
		await markIssued(ctx, clerk, { reservationId: partial.reservationId, cardId: partial.cardIds[0] });
		// checked in, nobody served yet
		arrived = await visit('来庁', 1, '10:00');
		await checkIn(ctx, clerk, { reservationId: arrived.reservationId });
		// still to come
		await visit('予約', 1, '14:00');
	});

	it('R-S10 the reservations CSV prints each person their own status and the visit a label read from its persons (一部不備, not 交付完了)', async () => {
		const rows = await csv({});
		expect(rows[0]).toEqual(['日付', '時間', '予約番号', '氏名', '氏名カナ', '交付通知書番号', '人数/目的', '予約の状態', '状態', '来庁']);
		expect(byName(rows)).toEqual({
			[names.完了0]: ['一部不備', '交付済'],
			[names.完了1]: ['一部不備', '不備・再手続'],
			[names.途中0]: ['来庁中・一部交付済', '交付済'],
			[names.途中1]: ['来庁中・一部交付済', '来庁'],
			[names.来庁0]: ['来庁中', '来庁'],
			[names.予約0]: ['予約中', '予約済']
		});
	});

	it('R-S10 the pull list holds only cards still to fetch: not those at the counter, handed over or 不備', async () => {
		const rows = await csv({ kind: 'pull' });
		expect(rows.slice(1).map((r) => r[3])).toEqual([names.予約0]);
		const list = await exportList(testContext(t.db, { now: NOW }).ctx, clerk, base({ kind: 'pull' }));
		expect(list.rows).toBe(1);
		await list.body.cancel();
	});

	it('R-S10 the PDFs carry the same: the reservations PDF each person\'s status and the visit label, the pull PDF only cards to fetch', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		const pdf = await bytes((await exportList(ctx, clerk, base({ format: 'pdf' }))).body);
		// kept to be rendered and looked at
		mkdirSync('tests/.artifacts', { recursive: true });
		writeFileSync('tests/.artifacts/lists-status-reservations.pdf', pdf);
		const text = await pdfText(pdf);
		for (const s of ['予約の状態', '一部不備', '不備・再手続', '交付済', '来庁中・一部交付済', '予約中', '予約済']) expect(text).toContain(s);
		expect(text).not.toContain('交付完了');
		// the row of the 不備 person: their name, then the visit's label, then their own status
		const lines = text.split('\n').filter((l) => l.trim());
		const at = lines.indexOf(names.完了1);
		expect(lines.slice(at + 4, at + 6)).toEqual(['一部不備', '不備・再手続']);
		const pull = await pdfText(await bytes((await exportList(ctx, clerk, base({ kind: 'pull', format: 'pdf' }))).body));
		expect(pull).toContain(names.予約0);
		for (const n of [names.完了0, names.完了1, names.途中0, names.途中1, names.来庁0]) expect(pull).not.toContain(n);
		expect(pull).toContain('件数: 1件');
	});

	it('R-S10 a visit whose persons were all handed over reads 交付完了; a missed visit reads 未来庁 with each person 未来庁', async () => {
		const { ctx } = testContext(t.db, { now: NOW });
		await markIssued(ctx, clerk, { reservationId: partial.reservationId, cardId: partial.cardIds[1] });
		// the visit still to come is missed: the no-show job runs after the day
		await markNoShows(testContext(t.db, { now: new Date('2026-12-08T01:00:00Z') }).ctx);
		const rows = byName(await csv({}));
		expect(rows[names.途中0]).toEqual(['交付完了', '交付済']);
		expect(rows[names.途中1]).toEqual(['交付完了', '交付済']);
		expect(rows[names.予約0]).toEqual(['未来庁', '未来庁']);
	});
});
