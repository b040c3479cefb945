import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { makeLocation, makeStaff } from '../harness/factories.ts';
import { listSettings, NO_SHOW_DEFAULT_TEXTS, saveLeadDays, saveNoShowMailTexts } from '../../src/lib/server/lists/settings.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';
import type { Role } from '../../src/lib/domain/roles.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'listsettings');
});
afterAll(async () => t?.drop());

async function principal(role: Role): Promise<Principal> {
	const u = await makeStaff(t.db, role);
	return { userId: u.id, login: u.login, displayName: u.displayName, role, locationId: null, sessionId: 'test' };
}

it('R-S11 an admin sets the default lead days and per-pair days; blank removes a pair; bad values are refused naming the field; audited', async () => {
	const { ctx } = testContext(t.db);
	const a = await makeLocation(t.db);
	const b = await makeLocation(t.db);
	const admin = await principal('admin');
	await saveLeadDays(ctx, admin, { defaultDays: 3, pairs: [{ from: a.id, to: b.id, days: 5 }, { from: b.id, to: a.id, days: null }] });
	let s = await listSettings(ctx, admin);
	expect(s.defaultDays).toBe(3);
	expect(s.pairs).toEqual([{ from: a.id, to: b.id, days: 5 }]);
	await saveLeadDays(ctx, admin, { defaultDays: 2, pairs: [{ from: a.id, to: b.id, days: null }] });
	s = await listSettings(ctx, admin);
	expect(s).toMatchObject({ defaultDays: 2, pairs: [] });
	await expect(saveLeadDays(ctx, admin, { defaultDays: 31, pairs: [{ from: a.id, to: b.id, days: -1 }] })).rejects.toMatchObject({
		status: 400,
		errors: [
			{ field: 'defaultDays', message: '0〜30 の整数で入力してください' },
			{ field: `d_${a.id}_${b.id}`, message: '0〜30 の整数で入力してください' }
		]
	});
	await expect(saveLeadDays(ctx, await principal('supervisor'), { defaultDays: 1, pairs: [] })).rejects.toMatchObject({ status: 403 });
	expect(await t.db.models.AuditLog.count({ where: { action: 'settings.transfer_lead_days' } })).toBe(2);
});

it('R-S13 R-O04 an admin edits the no-show follow-up texts (mail_texts); a line break in a subject is refused; reset goes back to the standard text', async () => {
	const { ctx } = testContext(t.db);
	const admin = await principal('admin');
	let s = await listSettings(ctx, admin);
	expect(s.mail.ja).toEqual({ ...NO_SHOW_DEFAULT_TEXTS.ja, custom: false });
	const texts = { ja: { subject: '再予約のお願い {{bookingNumber}}', body: '本文です。\r\n{{bookingUrl}}' }, en: { subject: 'Please book again', body: 'Body {{bookingUrl}}' } };
	await saveNoShowMailTexts(ctx, admin, texts);
	const rows = await t.db.sequelize.query(`SELECT key, lang, subject, body FROM mail_texts ORDER BY lang`, { type: QueryTypes.SELECT });
	expect(rows).toEqual([
		{ key: 'reservation.no_show', lang: 'en', subject: 'Please book again', body: 'Body {{bookingUrl}}' },
		{ key: 'reservation.no_show', lang: 'ja', subject: '再予約のお願い {{bookingNumber}}', body: '本文です。\n{{bookingUrl}}' }
	]);
	s = await listSettings(ctx, admin);
	expect(s.mail.ja.custom).toBe(true);
	await expect(saveNoShowMailTexts(ctx, admin, { ...texts, en: { subject: 'x\r\nBcc: a@example.com', body: 'b' } })).rejects.toMatchObject({
		status: 400,
		errors: [{ field: 'subject_en', message: '件名に改行は使えません' }]
	});
	await expect(saveNoShowMailTexts(ctx, await principal('clerk'), texts)).rejects.toMatchObject({ status: 403 });
	await saveNoShowMailTexts(ctx, admin, null);
	expect(await t.db.sequelize.query(`SELECT 1 FROM mail_texts`, { type: QueryTypes.SELECT })).toEqual([]);
	expect(await t.db.models.AuditLog.count({ where: { action: ['settings.mail_texts', 'settings.mail_texts_reset'] } })).toBe(2);
});
