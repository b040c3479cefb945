import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeSlot } from '../harness/factories.ts';
import * as locations from '../../src/lib/server/scheduling/locations.ts';
import { listCitizenLocations, slotRoom } from '../../src/lib/server/scheduling/availability.ts';
import { listPurposes } from '../../src/lib/server/scheduling/purposes.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'locations_verbs');
});
afterAll(async () => t?.drop());

describe('the verbs routes call instead of ctx.db', () => {
	it('R-S18 R-C04 locations are listed in the admins’ order (表示順, then id) everywhere; citizens see only bookable ones', async () => {
		const { ctx } = testContext(t.db);
		const a = await makeLocation(t.db, { nameJa: '北支所' });
		const b = await makeLocation(t.db, { nameJa: '本庁舎' });
		const c = await makeLocation(t.db, { nameJa: '南支所', citizenBookable: false });
		const d = await makeLocation(t.db, { nameJa: '東支所' });
		await t.db.models.Location.update({ sortOrder: 2 }, { where: { id: a.id } });
		await t.db.models.Location.update({ sortOrder: 1 }, { where: { id: [b.id, c.id] } });
		await t.db.models.Location.update({ sortOrder: 3 }, { where: { id: d.id } });
		const ids = (await locations.list(ctx)).map((l) => l.id);
		expect(ids).toEqual([b.id, c.id, a.id, d.id]);
		expect((await listCitizenLocations(ctx)).map((l) => l.id)).toEqual([b.id, a.id, d.id]);
		expect((await locations.first(ctx))?.id).toBe(b.id);
		expect(await locations.get(ctx, c.id)).toMatchObject({ id: c.id, nameJa: '南支所', citizenBookable: false, sortOrder: 1 });
		expect(await locations.get(ctx, 2_000_000_000)).toBeNull();
	});

	it('R-S17 purposes are listed in the same order', async () => {
		const { ctx } = testContext(t.db);
		await t.db.models.Purpose.bulkCreate([
			{ code: 'zz-late', nameJa: '後', nameEn: 'Later', durationSlots: 1, sortOrder: 100_000 },
			{ code: 'zz-first', nameJa: '先', nameEn: 'First', durationSlots: 1, sortOrder: -1 }
		]);
		const codes = (await listPurposes(ctx)).map((x) => x.code);
		expect(codes.indexOf('zz-first')).toBe(0);
		expect(codes.indexOf('zz-late')).toBe(codes.length - 1);
	});

	it('R-C05 R-C06 slotRoom reads each slot’s room (capacity − booked − held) of one day at one location only', async () => {
		const { ctx } = testContext(t.db);
		const loc = await makeLocation(t.db);
		const other = await makeLocation(t.db);
		const s1 = await makeSlot(t.db, loc.id, '2026-11-26', '10:00', 5, { booked: 2, held: 1 });
		const s2 = await makeSlot(t.db, loc.id, '2026-11-26', '10:30', 3, { booked: 3 });
		await makeSlot(t.db, loc.id, '2026-11-27', '10:00', 5);
		await makeSlot(t.db, other.id, '2026-11-26', '10:00', 5);
		const room = await slotRoom(ctx, loc.id, '2026-11-26');
		expect(Object.fromEntries(room)).toEqual({ [String(s1.id)]: 2, [String(s2.id)]: 0 });
	});
});
