import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import QRCode from 'qrcode';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, purposeId, typed } from '../harness/factories.ts';
import { confirmHold, createHold } from '../../src/lib/server/booking/holds.ts';
import { cancelManaged, viewManaged } from '../../src/lib/server/citizen/manage.ts';
import { reservationIcs } from '../../src/lib/server/citizen/ics.ts';
import { checkinQrSvg } from '../../src/lib/server/citizen/qr.ts';
import { moveChoices } from '../../src/lib/server/citizen/move-choices.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'manage', { poolMax: 5 });
});
afterAll(async () => {
	await t?.drop();
});

const NOW = new Date('2026-11-24T00:00:00Z'); // 09:00 Tokyo
const DAY = '2026-12-01';

/** A booking made the citizen's way (link → session → hold → confirm) at DAY 10:00, for `people` cards. */
async function booked(people = 1, capacity = 3) {
	const { ctx } = testContext(t.db, { now: NOW });
	const loc = await makeLocation(t.db, { nameJa: '中央テスト窓口' });
	await loc.update({ addressJa: '中央町1-1-1', nameEn: 'Central Test Counter' });
	await makeSchedule(t.db, loc.id);
	const slot = await makeSlot(t.db, loc.id, DAY, '10:00', capacity);
	const purpose = await purposeId(t.db);
	const cards = [];
	for (let i = 0; i < people; i++) cards.push(await makeCard(t.db, { birthDate: `198${i}-0${i + 1}-1${i}` }));
	await cards[0].update({ nameKanji: '山田 花子' });
	const me = await citizenSession(ctx);
	const h = await createHold(ctx, me, { slotId: String(slot.id), purposeId: purpose, persons: cards.map(typed) });
	const r = await confirmHold(ctx, me, h.holdId);
	const token = r.manageUrl.split('/manage/')[1];
	return { ctx, loc, slot, purpose, cards, r, token };
}

/** The .ics with folded lines joined again (RFC 5545 §3.1). */
const unfold = (ics: string) => ics.replace(/\r?\n[ \t]/g, '');

describe('R-C09 calendar entry (.ics)', () => {
	it('R-C09 the .ics carries the visit as the right instant, the booking number and the site (not the manage link, a secret), never a name or a notice ID', async () => {
		const { ctx, r, token, cards } = await booked();
		const view = await viewManaged(ctx, token);
		const url = ctx.publicOrigin;
		const ics = unfold(reservationIcs(view, url, 'ja'));
		expect(ics).toMatch(/^BEGIN:VCALENDAR/);
		// 10:00–10:30 in Tokyo is 01:00–01:30 UTC
		expect(ics).toContain('DTSTART:20261201T010000Z');
		expect(ics).toContain('DTEND:20261201T013000Z');
		expect(ics).toMatch(/SUMMARY:マイナンバーカード：カードの交付（中央テスト窓口）/);
		expect(ics).toContain('LOCATION:中央テスト窓口 中央町1-1-1');
		expect(ics).toContain(`予約番号：${r.reservationNumber}`);
		expect(ics).toContain(`URL:${url}/`);
		expect(ics).not.toContain(token);
		expect(ics).not.toContain('/manage/');
		expect(ics).toContain('STATUS:CONFIRMED');
		expect(ics).toContain(`UID:${r.reservationNumber}@`);
		for (const secret of ['山田', '花子', cards[0].noticeId, cards[0].birthDate.replaceAll('-', ''), view.checkinCode!]) expect(ics).not.toContain(secret);

		const en = unfold(reservationIcs(view, url, 'en'));
		expect(en).toMatch(/SUMMARY:My Number card: Card issuance \(Central Test Counter\)/);
		expect(en).toContain(`Booking number: ${r.reservationNumber}`);

		const cancelled = await cancelManaged(ctx, token);
		expect(unfold(reservationIcs(cancelled, url, 'ja'))).toContain('STATUS:CANCELLED');
	});
});

describe('R-C09 check-in QR code', () => {
	it('R-C09 R-S15 the QR code is the check-in code alone, drawn as SVG with an accessible name; anything else draws nothing', async () => {
		const { ctx, token } = await booked();
		const view = await viewManaged(ctx, token);
		const svg = (await checkinQrSvg(view.checkinCode!, '受付用QRコード'))!;
		expect(svg).toMatch(/^<svg role="img" aria-label="受付用QRコード" focusable="false" xmlns/);
		// the same matrix as a QR code of exactly the check-in code
		const plain = await QRCode.toString(view.checkinCode!, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
		expect(svg.replace(' role="img" aria-label="受付用QRコード" focusable="false"', '')).toBe(plain);
		expect(await checkinQrSvg('山田 花子', 'x')).toBeNull();
		expect(await checkinQrSvg(`${view.checkinCode}"><script>`, 'x')).toBeNull();
	});
});

describe('R-C10 choosing a new time', () => {
	it('R-C10 R-C05 only times with room for the whole party are enabled, the current time is marked, and no count leaves the server', async () => {
		const { ctx, loc, slot, token } = await booked(2, 3);
		const tight = await makeSlot(t.db, loc.id, DAY, '10:30', 3, { booked: 2 }); // one place left: too few for two
		const roomy = await makeSlot(t.db, loc.id, DAY, '11:00', 3);
		const shut = await makeSlot(t.db, loc.id, DAY, '14:00', 0);
		// a location that does not offer the booking's purpose is not offered as a destination
		const other = await makeLocation(t.db);
		await makeSchedule(t.db, other.id, { purposeIds: [await purposeId(t.db, 'ecert_renewal')] });

		const c = await moveChoices(ctx, token, { locationId: loc.id, date: DAY });
		expect(c.locationId).toBe(loc.id);
		expect(c.locations.map((l) => l.id)).toContain(loc.id);
		expect(c.locations.map((l) => l.id)).not.toContain(other.id);
		expect(c.month).toBe('2026-12');
		expect(c.days.find((d) => d.date === DAY)?.level).toMatch(/many|few/);
		const by = new Map(c.times.map((x) => [x.id, x]));
		expect(by.get(String(slot.id))).toMatchObject({ current: true, enabled: false });
		expect(by.get(String(tight.id))).toMatchObject({ enabled: false, current: false, level: 'few' });
		expect(by.get(String(roomy.id))).toMatchObject({ enabled: true, level: 'many', startsAt: `${DAY}T11:00:00+09:00`, endsAt: `${DAY}T11:30:00+09:00` });
		expect(by.get(String(shut.id))).toMatchObject({ enabled: false, level: 'closed' });
		expect(c.chosen).toBeNull();
		const json = JSON.stringify(c.times);
		for (const word of ['capacity', 'booked', 'held', 'free']) expect(json).not.toContain(word);

		// the confirm step accepts only an enabled time
		expect((await moveChoices(ctx, token, { locationId: loc.id, date: DAY, slotId: String(roomy.id) })).chosen?.id).toBe(String(roomy.id));
		expect((await moveChoices(ctx, token, { locationId: loc.id, date: DAY, slotId: String(tight.id) })).chosen).toBeNull();
		// a month outside what can be booked shows the current one instead
		expect((await moveChoices(ctx, token, { month: '2020-01' })).month).toBe('2026-11');
		// a wrong token is a 404, as on every manage page
		await expect(moveChoices(ctx, `${token.split('.')[0]}.${'B'.repeat(32)}`, {})).rejects.toMatchObject({ status: 404 });
	});
});
