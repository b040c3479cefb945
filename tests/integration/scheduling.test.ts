import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeCard, makeStaff } from '../harness/factories.ts';
import { createLocation, saveSchedule, scheduleFor } from '../../src/lib/server/scheduling/settings.ts';
import { regenerateSlots } from '../../src/lib/server/scheduling/regenerate.ts';
import { savePurpose, saveCitySettings } from '../../src/lib/server/scheduling/purposes.ts';
import { createStaffReservation } from '../../src/lib/server/booking/staff-book.ts';
import { setSlotCapacity, listStaffSlots } from '../../src/lib/server/scheduling/capacity.ts';
import { seedDemo } from '../../db/seeds/demo.ts';
import { DEFAULT_PATTERNS, type HoursPattern } from '../../src/lib/domain/schedule/index.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'scheduling');
});
afterAll(async () => t?.drop());

const NOW = new Date('2026-11-24T00:00:00Z'); // Tuesday 09:00 Tokyo
let seq = 0;

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

async function newLocation(admin: Principal) {
	const { ctx } = testContext(t.db, { now: NOW });
	seq++;
	return createLocation(ctx, admin, { code: `s${seq}-${process.pid}`, nameJa: `テスト${seq}`, nameEn: `Test ${seq}`, addressJa: '', citizenBookable: true, sortOrder: 10 });
}

async function slotCount(locationId: number, date?: string) {
	return t.db.models.Slot.count({ where: date ? { locationId, date } : { locationId } });
}

describe('settings (R-S06, R-S07)', () => {
	it('R-S06 a new location gets the default patterns, weekly plan and window, and its slots', async () => {
		const admin = await principal('admin');
		const { id, report } = await newLocation(admin);
		expect(report.created).toBeGreaterThan(0);
		expect(report.to).toBe('2027-01-23'); // 60 days ahead by default
		// normal pattern 08:45–17:15 in 15-minute slots: 34 a weekday, none on Sunday 11/29
		expect(await slotCount(id, '2026-11-25')).toBe(34);
		expect(await slotCount(id, '2026-11-29')).toBe(0);
		// 11/23 was a holiday and is past; 2027-01-01..03 are the year-end break
		expect(await slotCount(id, '2027-01-04')).toBe(34);
		expect(await slotCount(id, '2026-12-31')).toBe(0);
		const { ctx } = testContext(t.db, { now: NOW });
		const s = await scheduleFor(ctx, admin, id);
		expect(s.stored).toBe(true);
		expect(s.rules.patterns.map((p) => p.nameJa)).toEqual(['通常', '短縮', '延長']);
	});

	it('R-S06 a pattern whose close time precedes its open time, and overlapping time ranges, are refused with Japanese messages and nothing written', async () => {
		const admin = await principal('admin');
		const { id } = await newLocation(admin);
		const { ctx, events } = testContext(t.db, { now: NOW });
		const before = await scheduleFor(ctx, admin, id);
		const slotsBefore = await slotCount(id);
		const auditBefore = await t.db.models.AuditLog.count({ where: { action: 'settings.schedule_changed' } });
		const bad: HoursPattern[] = [{ ...DEFAULT_PATTERNS[0], open: '17:00', close: '09:00' }, DEFAULT_PATTERNS[1], DEFAULT_PATTERNS[2]];
		const e1 = await saveSchedule(ctx, admin, id, { patterns: bad }).catch((e) => e);
		expect(e1).toMatchObject({ status: 422, errors: [{ field: 'patterns.0.close', message: '終了時刻は開始時刻より後にしてください' }] });
		const e2 = await saveSchedule(ctx, admin, id, {
			rangeExceptions: [
				{ date: '2026-12-01', start: '10:00', end: '12:00', capacity: 1 },
				{ date: '2026-12-01', start: '11:00', end: '13:00', capacity: 0 }
			]
		}).catch((e) => e);
		expect(e2.status).toBe(422);
		expect(e2.errors).toEqual([
			{ field: 'rangeExceptions.0.start', message: '時間帯が重複しています' },
			{ field: 'rangeExceptions.1.start', message: '時間帯が重複しています' }
		]);
		const e3 = await saveSchedule(ctx, admin, id, { patterns: [DEFAULT_PATTERNS[1], DEFAULT_PATTERNS[2]] }).catch((e) => e);
		expect(e3.errors).toContainEqual({ field: 'weekly.1', message: '存在しない開庁時間パターンです' });
		const e4 = await saveSchedule(ctx, admin, id, { window: { ...before.window, maxMode: 'date', maxDate: '2026-02-30' } }).catch((e) => e);
		expect(e4.errors).toEqual([{ field: 'window.maxDate', message: '日付は YYYY-MM-DD の形式で入力してください' }]);
		expect(await scheduleFor(ctx, admin, id)).toEqual(before);
		expect(await slotCount(id)).toBe(slotsBefore);
		expect(await t.db.models.AuditLog.count({ where: { action: 'settings.schedule_changed' } })).toBe(auditBefore);
		expect(events).toEqual([]);
	});

	it('R-S06 closing a day, opening a Sunday, and a time-range capacity regenerate the slots; booked slots are kept and reported', async () => {
		const admin = await principal('admin');
		const clerk = await principal('clerk');
		const { id } = await newLocation(admin);
		const { ctx, events } = testContext(t.db, { now: NOW });
		const [booked] = await listStaffSlots(ctx, id, '2026-12-02');
		const card = await makeCard(t.db);
		const r = await createStaffReservation(ctx, clerk, { slotId: booked.id, persons: [{ noticeId: card.noticeId, birthDate: card.birthDate }] });
		events.length = 0;
		const { report } = await saveSchedule(ctx, admin, id, {
			dateExceptions: [
				{ date: '2026-12-02', kind: 'closed', note: '庁舎点検' },
				{ date: '2026-12-06', kind: 'open', patternId: 'short', note: '日曜開庁' }
			],
			rangeExceptions: [{ date: '2026-12-03', start: '12:00', end: '13:00', capacity: 0 }]
		});
		expect(report.orphaned).toEqual([{ id: booked.id, date: '2026-12-02', start: '08:45', end: '09:00', taken: 1 }]);
		expect(await slotCount(id, '2026-12-02')).toBe(1); // only the booked slot stays
		expect(await slotCount(id, '2026-12-06')).toBe(12); // 09:00–12:00
		expect(await slotCount(id, '2026-12-03')).toBe(30); // four lunch slots gone
		expect((await t.db.models.Reservation.findByPk(r.id))?.status).toBe('active');
		expect(events).toEqual([{ type: 'slotsChanged', locationId: id, dates: ['2026-12-02', '2026-12-03', '2026-12-06'] }]);
		// idempotent: running again changes nothing
		const again = await regenerateSlots(ctx, id);
		expect([again.created, again.updated, again.removed]).toEqual([0, 0, 0]);
		expect(again.orphaned).toHaveLength(1);
		// the orphaned slot is on a closed day: nobody can book it
		const e = await createStaffReservation(ctx, clerk, { slotId: booked.id, persons: [{ noticeId: (await makeCard(t.db)).noticeId, birthDate: '1980-04-01' }] }).catch((x) => x);
		expect(e).toMatchObject({ status: 422 });
	});

	it('R-S05 R-S06 a capacity set live by a supervisor survives a regeneration from changed rules', async () => {
		const admin = await principal('admin');
		const { id } = await newLocation(admin);
		const { ctx } = testContext(t.db, { now: NOW });
		const [first, second] = await listStaffSlots(ctx, id, '2026-12-04');
		await setSlotCapacity(ctx, await principal('supervisor'), { slotId: first.id, capacity: 7, reason: '応援' });
		const patterns = DEFAULT_PATTERNS.map((p) => (p.id === 'normal' ? { ...p, capacity: 3 } : p));
		const { report } = await saveSchedule(ctx, admin, id, { patterns });
		expect(report.keptManual).toBe(1);
		const after = await listStaffSlots(ctx, id, '2026-12-04');
		expect(after.find((s) => s.id === first.id)?.capacity).toBe(7);
		expect(after.find((s) => s.id === second.id)?.capacity).toBe(3);
	});

	it('R-S07 the window decides how far slots are made; a fixed last date works too', async () => {
		const admin = await principal('admin');
		const { id } = await newLocation(admin);
		const { ctx } = testContext(t.db, { now: NOW });
		const s = await scheduleFor(ctx, admin, id);
		const { report } = await saveSchedule(ctx, admin, id, { window: { ...s.window, maxMode: 'date', maxDate: '2026-12-04' } });
		expect(report.to).toBe('2026-12-04');
		expect(report.removed).toBeGreaterThan(0);
		expect(await t.db.models.Slot.max('date', { where: { locationId: id } })).toBe('2026-12-04');
	});

	it('R-S01 only an admin changes settings', async () => {
		const admin = await principal('admin');
		const { id } = await newLocation(admin);
		const { ctx } = testContext(t.db, { now: NOW });
		await expect(saveSchedule(ctx, await principal('supervisor'), id, { rangeExceptions: [] })).rejects.toMatchObject({ status: 403 });
		await expect(createLocation(ctx, await principal('clerk'), { code: 'x', nameJa: 'x', nameEn: 'x', addressJa: '', citizenBookable: true, sortOrder: 1 })).rejects.toMatchObject({ status: 403 });
	});
});

describe('purposes and city settings (R-S17, R-C07, R-C15)', () => {
	it('R-S17 R-C08 an admin adds a purpose with its own precautions; bad values get Japanese messages', async () => {
		const admin = await principal('admin');
		const { ctx } = testContext(t.db, { now: NOW });
		const bad = await savePurpose(ctx, admin, null, { code: 'Bad Code', nameJa: ' ', nameEn: 'x', durationSlots: 0, precautionsJa: '', precautionsEn: '', active: true, sortOrder: 5 }).catch((e) => e);
		expect(bad.status).toBe(422);
		expect(bad.errors.map((e: { field: string }) => e.field)).toEqual(['code', 'nameJa', 'durationSlots']);
		const id = await savePurpose(ctx, admin, null, {
			code: `passport_${seq}`,
			nameJa: '暗証番号の再設定',
			nameEn: 'PIN reset',
			durationSlots: 2,
			precautionsJa: 'マイナンバーカードをお持ちください。',
			precautionsEn: 'Bring your card.',
			active: true,
			sortOrder: 50
		});
		expect((await t.db.models.Purpose.findByPk(id))?.durationSlots).toBe(2);
	});

	it('R-C07 the persons-per-booking limit is a city setting between 1 and 5', async () => {
		const admin = await principal('admin');
		const { ctx } = testContext(t.db, { now: NOW });
		const e = await saveCitySettings(ctx, admin, { maxPersonsPerBooking: 6, holdMinutes: 10 }).catch((x) => x);
		expect(e.errors).toEqual([{ field: 'maxPersonsPerBooking', message: '1〜5の整数で入力してください' }]);
		await saveCitySettings(ctx, admin, { maxPersonsPerBooking: 4, holdMinutes: 15 });
		expect((await t.db.models.CitySettings.findByPk(1))?.toJSON()).toMatchObject({ maxPersonsPerBooking: 4, holdMinutes: 15 });
		await saveCitySettings(ctx, admin, { maxPersonsPerBooking: 5, holdMinutes: 10 });
	});
});

describe('demo seed', () => {
	it('R-S06 the demo city gets its patterns and weekly plans and slots from the rules, idempotently', async () => {
		const demo = await createTestDatabase(inject('databaseUrl'), 'demo_sched');
		try {
			const first = await seedDemo(demo.db, { password: 'demo-password', now: NOW });
			const again = await seedDemo(demo.db, { password: 'demo-password', now: NOW });
			expect(again).toEqual(first);
			const { ctx } = testContext(demo.db, { now: NOW });
			const main = await listStaffSlots(ctx, 1, '2026-11-26'); // a Thursday: extended hours
			expect(main).toHaveLength(41);
			expect(main[0]).toMatchObject({ startsAt: '2026-11-26T08:45:00+09:00', capacity: 4 });
			const branch = await listStaffSlots(ctx, 2, '2026-11-25');
			expect(branch.map((s) => s.startsAt.slice(11, 16))).not.toContain('12:00');
			expect(branch[0].capacity).toBeGreaterThanOrEqual(2);
			expect(await listStaffSlots(ctx, 3, '2026-11-29')).toEqual([]); // Sunday
		} finally {
			await demo.drop();
		}
	});
});
