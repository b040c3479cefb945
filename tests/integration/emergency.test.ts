import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';
import { testContext } from '../harness/context.ts';
import { addContact, currentBanner, endBanner, listContacts, removeContact, sendEmergencyNotice } from '../../src/lib/server/ops/emergency.ts';
import { composeMail } from '../../src/lib/server/mail/compose.ts';
import type { Principal } from '../../src/lib/server/auth/session.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase(inject('databaseUrl'), 'emergency');
});
afterAll(async () => t?.drop());

const as = (role: Principal['role']): Principal => ({ userId: 1, login: role, displayName: role, role, locationId: null, sessionId: 's' });

describe('R-O07 emergency notice', () => {
	it('R-O07 one message goes at once to every active emergency contact through the outbox, and the banner is pushed live until ended', async () => {
		const { ctx } = testContext(t.db);
		const pushed: unknown[] = [];
		ctx.events.noticeChanged = (b) => void pushed.push(b);
		await addContact(ctx, as('admin'), { name: '危機管理課', email: 'kiki@example.city.lg.jp' });
		await addContact(ctx, as('admin'), { name: '情報政策課', email: 'joho@example.city.lg.jp' });
		await addContact(ctx, as('admin'), { name: '退職者', email: 'gone@example.city.lg.jp' });
		const gone = (await listContacts(ctx, as('admin'))).find((c) => c.name === '退職者')!;
		await removeContact(ctx, as('admin'), gone.id);

		const sent = await sendEmergencyNotice(ctx, as('admin'), { messageJa: '地震のため本日の窓口業務を停止します。', messageEn: 'Counters are closed today because of the earthquake.', banner: true });
		expect(sent.recipients).toBe(2);
		const [rows] = (await t.db.sequelize.query(`SELECT id, topic, payload FROM outbox WHERE topic = 'emergency.notice' ORDER BY id`)) as [{ id: string; topic: string; payload: { noticeId: string; contactId: number } }[], unknown];
		expect(rows).toHaveLength(2);
		const mail = await composeMail(ctx, { id: String(rows[0].id), topic: rows[0].topic, payload: rows[0].payload, attempts: 0 } as never);
		expect(mail.kind).toBe('send');
		if (mail.kind === 'send') {
			expect(mail.message.subject).toContain('緊急のお知らせ');
			expect(mail.message.text).toContain('地震のため本日の窓口業務を停止します。');
			expect(mail.message.text).toContain('Counters are closed today');
		}
		expect(await currentBanner(ctx, true)).toMatchObject({ messageJa: '地震のため本日の窓口業務を停止します。' });
		expect(pushed).toHaveLength(1);
		await endBanner(ctx, as('admin'));
		expect(await currentBanner(ctx, true)).toBeNull();
		expect(pushed[1]).toBeNull();
		const [audits] = (await t.db.sequelize.query(`SELECT action FROM audit_log WHERE action LIKE 'emergency.%' ORDER BY id`)) as [{ action: string }[], unknown];
		expect(audits.map((a) => a.action)).toEqual(['emergency.contact_saved', 'emergency.contact_saved', 'emergency.contact_saved', 'emergency.contact_removed', 'emergency.sent', 'emergency.banner_ended']);
	});

	it('R-O07 R-O04 only admins send; empty or oversized messages and bad addresses are refused and nothing is written', async () => {
		const { ctx } = testContext(t.db);
		for (const role of ['viewer', 'clerk', 'supervisor'] as const) {
			await expect(sendEmergencyNotice(ctx, as(role), { messageJa: 'x', messageEn: '', banner: false })).rejects.toMatchObject({ status: 403 });
			await expect(addContact(ctx, as(role), { name: 'x', email: 'x@example.jp' })).rejects.toMatchObject({ status: 403 });
		}
		await expect(sendEmergencyNotice(ctx, null, { messageJa: 'x', messageEn: '', banner: false })).rejects.toMatchObject({ status: 401 });
		const before = await t.db.sequelize.query(`SELECT count(*)::int AS n FROM emergency_notices`);
		await expect(sendEmergencyNotice(ctx, as('admin'), { messageJa: '  ', messageEn: '', banner: true })).rejects.toMatchObject({ status: 400 });
		await expect(sendEmergencyNotice(ctx, as('admin'), { messageJa: 'あ'.repeat(1001), messageEn: '', banner: true })).rejects.toMatchObject({ status: 400 });
		await expect(addContact(ctx, as('admin'), { name: '悪意', email: 'a@example.jp\r\nBcc: evil@example.jp' })).rejects.toMatchObject({ status: 400 });
		expect(await t.db.sequelize.query(`SELECT count(*)::int AS n FROM emergency_notices`)).toEqual(before);
	});
});
