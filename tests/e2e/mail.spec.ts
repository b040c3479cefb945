import { expect, test, type APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ARTIFACTS, e2eState } from './state.ts';
import { apiLogin, nodes, openDay, staffSlots, uiLogin } from './helpers.ts';

/**
 * Mail end to end (R-C09, R-C10): both nodes send to one SMTP sink started by the global set-up.
 * Uses location 2 on a day other specs leave alone, and demo cards from the middle of the list.
 */
interface SinkMail {
	subject: string;
	to: string[];
	text: string;
	attachments: { filename: string; contentType: string }[];
}

const viewUrl = () => e2eState().mail!.viewUrl.replace('//localhost:', '//127.0.0.1:');

async function waitForMail(request: APIRequestContext, match: (m: SinkMail) => boolean): Promise<SinkMail> {
	let found: SinkMail | undefined;
	await expect
		.poll(
			async () => {
				const all: SinkMail[] = await (await request.get(`${viewUrl()}/api/messages`)).json();
				found = all.find(match);
				return !!found;
			},
			{ timeout: 20_000, intervals: [200, 500] }
		)
		.toBe(true);
	return found!;
}

test('R-C09 R-C10 a booking with an email is confirmed by mail within seconds (booking number, QR, .ics), a cancel on the other node mails the cancellation; the mail view and 「メール送信状況」 at phone width', async ({ browser, request }) => {
	const { a, b } = nodes();
	const token = await apiLogin(request, a.url, 'clerk');
	const date = await openDay(request, a.url, 2, 8);
	const [slot] = await staffSlots(request, a.url, token, 2, date);
	const cards = [];
	for (let offset = 200; cards.length < 1; offset--) {
		const [c] = (await (await request.get(`${a.url}/api/v1/staff/cards?limit=1&offset=${offset}`, { headers: { authorization: `Bearer ${token}` } })).json()).items;
		if (c.status === 'notice_sent') cards.push(c);
	}
	const booked = await request.post(`${a.url}/api/v1/staff/reservations`, {
		headers: { authorization: `Bearer ${token}` },
		data: { slotId: slot.id, persons: cards.map((c) => ({ noticeId: c.noticeId, birthDate: c.birthDate })), email: 'e2e-mail@example.jp' }
	});
	expect(booked.status(), await booked.text()).toBe(201);
	const r = await booked.json();

	const confirmation = await waitForMail(request, (m) => m.subject.includes(r.bookingNumber) && m.subject.includes('予約を受け付けました'));
	expect(confirmation.to).toEqual(['e2e-mail@example.jp']);
	expect(confirmation.text).not.toContain(cards[0].noticeId);
	expect(confirmation.attachments.map((x) => x.filename)).toContain(`yoyaku-${r.bookingNumber}.ics`);

	const cancelled = await request.delete(`${b.url}/api/v1/staff/reservations/${r.id}`, { headers: { authorization: `Bearer ${await apiLogin(request, b.url, 'clerk')}` } });
	expect(cancelled.status()).toBe(200);
	await waitForMail(request, (m) => m.subject.includes(r.bookingNumber) && m.subject.includes('予約を取り消しました'));

	const phone = await (await browser.newContext({ viewport: { width: 375, height: 812 } })).newPage();
	await phone.goto(viewUrl());
	await expect(phone.getByRole('heading', { name: 'デモ用メールボックス' })).toBeVisible();
	await expect(phone.getByText(`予約を取り消しました（予約番号 ${r.bookingNumber}）`).first()).toBeVisible();
	expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	await phone.screenshot({ path: `${ARTIFACTS}/screenshots/mail-sink-phone.png` });

	await uiLogin(phone, a.url, 'clerk');
	await phone.getByRole('link', { name: 'メール送信状況' }).click();
	await expect(phone.getByRole('heading', { name: 'メール送信状況' })).toBeVisible();
	await expect(phone.getByText('過去24時間に送信')).toBeVisible();
	expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
	const axe = await new AxeBuilder({ page: phone }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
	expect(axe.violations.map((v) => v.id)).toEqual([]);
	await phone.screenshot({ path: `${ARTIFACTS}/screenshots/staff-mail-phone.png`, fullPage: true });
});
