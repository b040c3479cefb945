/**
 * R-S18: the city's settings set without SQL, through `GET|PUT /api/v1/staff/settings/city` (the
 * SvelteKit handlers, as the hooks would call them) on a real database: roles, validation, a subset
 * PUT, the audit row, a change reaching another node through Redis; and what the settings drive
 * through the real use cases: the city name in mail subjects, the link validity (R-C02), the hold
 * length (R-C15) and the reminder days (R-C11). Also a location's address and access (R-C16).
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { citizenSession, makeCard, makeLocation, makeSchedule, makeSlot, makeStaff, purposeId, typed } from '../harness/factories.ts';
import { mailBooking, mailsOf } from '../harness/mail.ts';
import { startRedisServer } from '../harness/services.ts';
import { startHubNode, stopHubNodes, type HubNode } from '../harness/hub-nodes.ts';
import { startMailSink, type MailSink } from '../../server/dev/mail-sink.ts';
import { createMailTransport, type MailTransport } from '../../src/lib/server/mail/transport.ts';
import { deliverDue } from '../../src/lib/server/mail/outbox.ts';
import { queueReminders } from '../../src/lib/server/mail/remind.ts';
import { requestLink } from '../../src/lib/server/citizen/links.ts';
import { createHold } from '../../src/lib/server/booking/holds.ts';
import { setAppContext, type AppContext } from '../../src/lib/server/context.ts';
import { cachedCity } from '../../src/lib/server/city/cache.ts';
import { updateCitySettings } from '../../src/lib/server/city/settings.ts';
import { maintenanceState, setMaintenance } from '../../src/lib/server/citizen/maintenance.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import * as cityRoute from '../../src/routes/api/v1/staff/settings/city/+server.ts';
import * as placeRoute from '../../src/routes/api/v1/staff/settings/locations/[id]/address/+server.ts';

const NOW = new Date('2026-11-24T01:00:00Z'); // Tuesday 10:00 in Tokyo

let t: TestDatabase;
let ctx: AppContext;
let sink: MailSink;
let transport: MailTransport;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'city_settings');
	ctx = testContext(t.db, { now: NOW }).ctx;
	setAppContext(ctx);
	sink = await startMailSink();
	transport = createMailTransport(sink.smtpUrl);
});
afterAll(async () => {
	setAppContext(undefined);
	transport?.close();
	await sink?.close();
	await t?.drop();
});

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

type Handler = (event: never) => Promise<Response> | Response;
/** Calls a route handler as SvelteKit would, with what the hooks would have set. */
async function call(handler: Handler, opts: { principal?: Principal | null; method?: string; body?: unknown; raw?: string; params?: Record<string, string>; lang?: 'ja' | 'en' } = {}) {
	const url = new URL('http://127.0.0.1/api/v1/staff/settings/city');
	const hasBody = opts.body !== undefined || opts.raw !== undefined;
	const request = new Request(url, {
		method: opts.method ?? (hasBody ? 'PUT' : 'GET'),
		headers: hasBody ? { 'content-type': 'application/json' } : {},
		body: hasBody ? (opts.raw ?? JSON.stringify(opts.body)) : undefined
	});
	const event = { request, url, params: opts.params ?? {}, locals: { principal: opts.principal ?? null, citizen: null, lang: opts.lang ?? 'ja' }, getClientAddress: () => '192.0.2.7' };
	const res = await handler(event as never);
	const text = await res.text();
	return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
}
const put = (p: Principal | null, body: unknown, lang: 'ja' | 'en' = 'ja') => call(cityRoute.PUT as Handler, { principal: p, body, lang });

const auditRows = () =>
	t.db.sequelize.query<{ actor_id: string; action: string; target_type: string; detail: { fields: string[]; from: Record<string, unknown>; to: Record<string, unknown> }; ip: string }>(
		`SELECT actor_id, action, target_type, detail, ip FROM audit_log WHERE action = 'settings.city_changed' ORDER BY id`,
		{ type: QueryTypes.SELECT }
	);

describe('GET|PUT /api/v1/staff/settings/city (R-S18)', () => {
	it('R-S18 401 without a session, 403 problem+json for every role below admin; an admin reads exactly the documented settings with the migrated texts', async () => {
		for (const h of [cityRoute.GET, cityRoute.PUT] as Handler[]) {
			const r = await call(h, { body: h === cityRoute.PUT ? { reminderDays: 3 } : undefined });
			expect(r.status).toBe(401);
			expect(r.type).toContain('application/problem+json');
		}
		for (const role of ['viewer', 'clerk', 'supervisor'] as const) {
			const p = await principal(role);
			const g = await call(cityRoute.GET as Handler, { principal: p });
			expect(g.status).toBe(403);
			expect(g.type).toContain('application/problem+json');
			expect(g.body.detail).toBe('この操作を行う権限がありません。');
			expect((await put(p, { reminderDays: 3 })).status).toBe(403);
		}
		const r = await call(cityRoute.GET as Handler, { principal: await principal('admin') });
		expect(r.status).toBe(200);
		expect(Object.keys(r.body).sort()).toEqual(
			['cityName', 'contact', 'reminderDays', 'linkMinutes', 'holdMinutes', 'maxPersonsPerBooking', 'changeCutoffDays', 'waitlistOfferMinutes', 'lateArrivalMinutes', 'waitAlertMinutes', 'privacyNotice', 'help'].sort()
		);
		// the *_ja / *_en columns' data, kept by the migration; the four new rules at their defaults
		expect(r.body).toMatchObject({
			cityName: { ja: 'デモ市', en: 'Demo City' },
			contact: { ja: '市民課 マイナンバーカード係', en: 'Citizens Division, My Number card desk' },
			reminderDays: 2,
			linkMinutes: 30,
			holdMinutes: 10,
			maxPersonsPerBooking: 5,
			changeCutoffDays: 0,
			waitlistOfferMinutes: 60,
			lateArrivalMinutes: 15,
			waitAlertMinutes: 30
		});
		expect(r.body.privacyNotice.ja).toContain('利用の目的');
		expect(r.body.help.ja).toContain('予約に必要なもの');
		expect(r.body.help.en).toContain('What do I need to book?');
	});

	it('R-S18 bad input is a 400 problem+json naming each bad field (Japanese, English with lang=en); unknown fields and locales refused; nothing written', async () => {
		const admin = await principal('admin');
		const before = await call(cityRoute.GET as Handler, { principal: admin });
		const audits = (await auditRows()).length;
		const r = await put(admin, {
			reminderDays: 15,
			linkMinutes: 4,
			holdMinutes: 0,
			maxPersonsPerBooking: 6,
			changeCutoffDays: -1,
			waitlistOfferMinutes: 2.5,
			lateArrivalMinutes: '15',
			waitAlertMinutes: 241,
			cityName: { ja: '  ', en: 'X' },
			contact: { en: 'no Japanese' },
			help: { ja: 'ok', fr: 'non' },
			privacyNotice: 'not an object',
			colour: 'blue'
		});
		expect(r.status).toBe(400);
		expect(r.type).toContain('application/problem+json');
		const fields = (r.body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
		expect(fields).toEqual(
			[
				'reminderDays',
				'linkMinutes',
				'holdMinutes',
				'maxPersonsPerBooking',
				'changeCutoffDays',
				'waitlistOfferMinutes',
				'lateArrivalMinutes',
				'waitAlertMinutes',
				'cityName.ja',
				'contact.ja',
				'help.fr',
				'privacyNotice',
				'colour'
			].sort()
		);
		const byField = Object.fromEntries((r.body.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]));
		expect(byField.reminderDays).toBe('0〜14の整数で入力してください');
		expect(byField.maxPersonsPerBooking).toBe('1〜5の整数で入力してください');
		expect(byField['cityName.ja']).toBe('日本語は必須です。入力してください');
		expect(r.body.detail).toMatch(/^入力内容に誤りがあります（13件）/);
		const en = await put(admin, { linkMinutes: 2000, cityName: { ja: 'x'.repeat(101) } }, 'en');
		expect(en.status).toBe(400);
		expect(en.body.detail).toMatch(/^Invalid settings \(2\)/);
		expect(en.body.errors).toEqual(
			expect.arrayContaining([
				{ field: 'linkMinutes', message: 'Enter a whole number from 5 to 1440.' },
				{ field: 'cityName.ja', message: 'At most 100 characters.' }
			])
		);
		expect((await call(cityRoute.PUT as Handler, { principal: admin, raw: '{"reminderDays": ' })).status).toBe(400);
		expect((await call(cityRoute.GET as Handler, { principal: admin })).body).toEqual(before.body);
		expect((await auditRows()).length).toBe(audits);
	});

	it('R-S18 a PUT of a subset changes only that, answers the whole settings, and writes one audit row with old → new values; an unchanged PUT writes nothing', async () => {
		const admin = await principal('admin');
		const before = (await call(cityRoute.GET as Handler, { principal: admin })).body;
		const r = await put(admin, { reminderDays: 3, lateArrivalMinutes: 20, cityName: { ja: '南市', en: 'Minami City', vi: 'Thành phố Minami', ko: '' } });
		expect(r.status).toBe(200);
		// an empty translation is no translation (the fallback applies)
		expect(r.body).toEqual({ ...before, reminderDays: 3, lateArrivalMinutes: 20, cityName: { ja: '南市', en: 'Minami City', vi: 'Thành phố Minami' } });
		expect((await call(cityRoute.GET as Handler, { principal: admin })).body).toEqual(r.body);
		const rows = await auditRows();
		const last = rows.at(-1)!;
		expect(last).toMatchObject({ actor_id: admin.login, target_type: 'city_settings', ip: '192.0.2.7' });
		expect(last.detail.fields.sort()).toEqual(['cityName', 'lateArrivalMinutes', 'reminderDays']);
		expect(last.detail.from).toEqual({ reminderDays: before.reminderDays, lateArrivalMinutes: before.lateArrivalMinutes, cityName: before.cityName });
		expect(last.detail.to).toEqual({ reminderDays: 3, lateArrivalMinutes: 20, cityName: { ja: '南市', en: 'Minami City', vi: 'Thành phố Minami' } });
		// the same values again: nothing to audit
		expect((await put(admin, { reminderDays: 3 })).status).toBe(200);
		expect((await auditRows()).length).toBe(rows.length);
		await put(admin, { reminderDays: before.reminderDays, lateArrivalMinutes: before.lateArrivalMinutes, cityName: before.cityName });
	});

	it('R-S18 R-C13 a change made on node A is seen at once by node B, which keeps the settings cached: Redis carries the word (settings and maintenance)', async () => {
		const redis = await startRedisServer();
		const nodes: HubNode[] = [];
		try {
			nodes.push(await startHubNode(t.db, redis.url, { key: `city-${t.name}` }));
			nodes.push(await startHubNode(t.db, redis.url, { key: `city-${t.name}` }));
			const [a, b] = nodes;
			const admin = await principal('admin');
			expect((await cachedCity(b.ctx)).cityName.ja).toBe('デモ市');
			// Behind the app's back (no event): node B answers from its copy, without a query.
			await t.db.sequelize.query(`UPDATE city_settings SET city_name = '{"ja": "裏口市"}'`);
			expect((await cachedCity(b.ctx)).cityName.ja).toBe('デモ市');
			// Through node A's use case: node B forgets its copy as soon as Redis carries the word.
			await updateCitySettings(a.ctx, admin, { cityName: { ja: '北市', en: 'Kita City' }, holdMinutes: 12 });
			await vi.waitFor(async () => expect((await cachedCity(b.ctx)).cityName).toEqual({ ja: '北市', en: 'Kita City' }), { timeout: 2000, interval: 20 });
			expect((await cachedCity(b.ctx)).holdMinutes).toBe(12);

			// Maintenance announced on node A: node B's citizen pages announce it at once.
			expect((await maintenanceState(b.ctx)).announced).toBe(false);
			const from = new Date(Date.now() + 86_400_000);
			await setMaintenance(a.ctx, admin, { active: false, from, until: new Date(from.getTime() + 3_600_000), messageJa: '定期点検', messageEn: 'Inspection' });
			await vi.waitFor(async () => expect((await maintenanceState(b.ctx)).announced).toBe(true), { timeout: 1000, interval: 20 });
			expect(await maintenanceState(b.ctx)).toMatchObject({ messageJa: '定期点検', messageEn: 'Inspection' });
			const [stored] = await t.db.sequelize.query<{ m: unknown }>(`SELECT maintenance_message AS m FROM city_settings`, { type: QueryTypes.SELECT });
			expect(stored.m).toEqual({ ja: '定期点検', en: 'Inspection' });
			await setMaintenance(a.ctx, admin, { active: false, from: null, until: null, messageJa: '', messageEn: '' });
			await updateCitySettings(a.ctx, admin, { cityName: { ja: 'デモ市', en: 'Demo City' }, holdMinutes: 10 });
		} finally {
			await stopHubNodes(nodes);
			await redis.stop();
		}
	}, 60_000);
});

describe('what the settings drive, through the real use cases', () => {
	it('R-S18 R-C02 the city name set by PUT is in the sign-in mail subject and body; the link lives the minutes set', async () => {
		const admin = await principal('admin');
		expect((await put(admin, { cityName: { ja: '新しい市名', en: 'New Town' }, linkMinutes: 45 })).status).toBe(200);
		try {
			for (const lang of ['ja', 'en'] as const) {
				const email = `link-${lang}@example.jp`;
				await requestLink(ctx, { email, lang, ip: '192.0.2.9' });
				const [row] = await t.db.sequelize.query<{ id: string; expires_at: Date }>(
					`SELECT o.id, k.expires_at FROM outbox o JOIN citizen_links k ON k.id = CAST(o.payload->>'linkId' AS uuid) WHERE k.email = :email`,
					{ replacements: { email }, type: QueryTypes.SELECT }
				);
				expect(new Date(row.expires_at).getTime() - NOW.getTime()).toBe(45 * 60_000);
				// due on the test's clock (the row's default is the database's own now)
				await t.db.sequelize.query(`UPDATE outbox SET next_attempt_at = :now WHERE id = :id`, { replacements: { now: NOW.toISOString(), id: row.id } });
				expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 });
				const [m] = mailsOf(sink.messages(), row.id);
				if (lang === 'ja') {
					expect(m.subject).toContain('【新しい市名】');
					expect(m.subject).not.toContain('デモ市');
					expect(m.text).toContain('有効期限は45分');
				} else {
					expect(m.subject).toContain('New Town');
					expect(m.text).toContain('valid for 45 minutes');
				}
			}
		} finally {
			await put(admin, { cityName: { ja: 'デモ市', en: 'Demo City' }, linkMinutes: 30 });
		}
	});

	it('R-C15 R-S18 the hold lasts the minutes set by PUT', async () => {
		const admin = await principal('admin');
		const loc = await makeLocation(t.db);
		await makeSchedule(t.db, loc.id);
		const slot = await makeSlot(t.db, loc.id, '2026-12-01', '10:00', 2);
		expect((await put(admin, { holdMinutes: 7 })).status).toBe(200);
		try {
			const me = await citizenSession(ctx, 'hold7@example.jp');
			const hold = await createHold(ctx, me, { slotId: String(slot.id), purposeId: await purposeId(t.db), persons: [typed(await makeCard(t.db))] });
			expect(hold.expiresAt).toBe('2026-11-24T10:07:00+09:00');
		} finally {
			await put(admin, { holdMinutes: 10 });
		}
	});

	it('R-C11 R-S18 reminders go the days before the visit set by PUT; 0 sends none', async () => {
		const admin = await principal('admin');
		await t.db.sequelize.query(`UPDATE reservations SET reminder_sent_at = now()`); // other tests' bookings
		const inThree = await mailBooking(t.db, { date: '2026-11-27' });
		const inFour = await mailBooking(t.db, { date: '2026-11-28' });
		const queued = async () =>
			(await t.db.sequelize.query<{ r: string }>(`SELECT payload->>'reservationId' AS r FROM outbox WHERE topic = 'reservation.reminder'`, { type: QueryTypes.SELECT })).map((x) => x.r);
		try {
			expect((await put(admin, { reminderDays: 0 })).status).toBe(200);
			expect(await queueReminders(ctx)).toBe(0);
			expect((await put(admin, { reminderDays: 2 })).status).toBe(200);
			expect(await queueReminders(ctx)).toBe(0);
			expect((await put(admin, { reminderDays: 3 })).status).toBe(200);
			expect(await queueReminders(ctx)).toBe(1);
			expect(await queued()).toContain(inThree.reservationId);
			expect(await queued()).not.toContain(inFour.reservationId);
		} finally {
			await put(admin, { reminderDays: 2 });
		}
	});
});

describe('a location’s address and access (R-S18, R-C16)', () => {
	it('R-S18 GET|PUT /api/v1/staff/settings/locations/{id}/address: admins only, a subset changes only that, audited with old → new; too long or unknown is a 400 naming the field', async () => {
		const admin = await principal('admin');
		const loc = await makeLocation(t.db);
		const params = { id: String(loc.id) };
		expect((await call(placeRoute.GET as Handler, { params })).status).toBe(401);
		expect((await call(placeRoute.PUT as Handler, { principal: await principal('supervisor'), params, body: { address: { ja: 'x' } } })).status).toBe(403);
		expect((await call(placeRoute.GET as Handler, { principal: admin, params: { id: '999999' } })).status).toBe(404);
		const r = await call(placeRoute.PUT as Handler, { principal: admin, params, body: { address: { ja: '南町1-2', en: '1-2 Minami-machi' }, access: { ja: '南駅から徒歩3分' } } });
		expect(r.status).toBe(200);
		expect(r.body).toEqual({ locationId: loc.id, address: { ja: '南町1-2', en: '1-2 Minami-machi' }, access: { ja: '南駅から徒歩3分', en: '' } });
		const again = await call(placeRoute.PUT as Handler, { principal: admin, params, body: { access: { en: '3 min from Minami Station' } } });
		expect(again.body).toEqual({ locationId: loc.id, address: { ja: '南町1-2', en: '1-2 Minami-machi' }, access: { ja: '南駅から徒歩3分', en: '3 min from Minami Station' } });
		expect((await call(placeRoute.GET as Handler, { principal: admin, params })).body).toEqual(again.body);
		const [row] = await t.db.sequelize.query<{ detail: { fields: string[]; from: Record<string, string>; to: Record<string, string> } }>(
			`SELECT detail FROM audit_log WHERE action = 'settings.location_place_changed' AND target_id = :id ORDER BY id DESC LIMIT 1`,
			{ replacements: { id: String(loc.id) }, type: QueryTypes.SELECT }
		);
		expect(row.detail).toEqual({ fields: ['access.en'], from: { 'access.en': '' }, to: { 'access.en': '3 min from Minami Station' } });
		const bad = await call(placeRoute.PUT as Handler, { principal: admin, params, body: { address: { ja: 'x'.repeat(201) }, access: { vi: 'x' }, parking: true } });
		expect(bad.status).toBe(400);
		expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['access.vi', 'address.ja', 'parking']);
	});
});

describe('a location’s texts in an English mail (R-C16)', () => {
	it('R-C16 R-S18 an access text without English falls back to Japanese in an English confirmation, as the address does', async () => {
		const b = await mailBooking(t.db, { lang: 'en' });
		await t.db.sequelize.query(`UPDATE locations SET address_en = '', access_en = '' WHERE id = (SELECT location_id FROM reservations WHERE id = :id)`, { replacements: { id: b.reservationId } });
		const [o] = await t.db.sequelize.query<{ id: string }>(`INSERT INTO outbox (topic, payload, next_attempt_at) VALUES ('reservation.created', CAST(:p AS jsonb), :at) RETURNING id`, {
			replacements: { p: JSON.stringify({ reservationId: b.reservationId }), at: NOW.toISOString() },
			type: QueryTypes.SELECT
		});
		expect((await deliverDue(ctx, transport)).sent).toBeGreaterThan(0); // with the reminder queued above
		const [m] = mailsOf(sink.messages(), o.id);
		expect(m.text).toContain('Access: 中央駅から徒歩5分');
		expect(m.text).toContain('中央町1-2-3');
	});
});

describe('proof of identity in the default precautions (2026)', () => {
	it('R-C08 the card-issuance precautions name current ID documents, no health insurance card or pension book', async () => {
		const [p] = await t.db.sequelize.query<{ ja: string; en: string }>(`SELECT precautions_ja AS ja, precautions_en AS en FROM purposes WHERE code = 'card_issuance'`, {
			type: QueryTypes.SELECT
		});
		expect(p.ja).toContain('在留カード');
		expect(p.ja).toContain('資格確認書');
		expect(p.ja).not.toMatch(/健康保険証|年金手帳/);
		expect(p.en).toContain('residence card');
		expect(p.en).not.toMatch(/health insurance card and|pension book/);
	});
});
