/**
 * A citizen's side of the e2e tests: the emailed link, taken from the database the way the mail
 * job builds it (id + signature) — the mail itself is read from the SMTP sink in the journey test.
 */
import pg from 'pg';
import { expect, type APIRequestContext } from '@playwright/test';
import { e2eState, JWT_SECRET } from './state.ts';
import { linkToken } from '../../src/lib/server/citizen/tokens.ts';

export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
	const c = new pg.Client({ connectionString: e2eState().databaseUrl });
	await c.connect();
	try {
		return (await c.query(text, params)).rows as T[];
	} finally {
		await c.end();
	}
}

/** Cards nobody has booked or held, from the seeded demo city; `offset` keeps tests apart. */
export async function freeCards(n: number, offset: number): Promise<{ noticeId: string; birthDate: string; monthDay: string }[]> {
	const rows = await sql<{ notice_id: string; birth_date: string }>(
		`SELECT c.notice_id, c.birth_date::text AS birth_date FROM card_records c
		  WHERE c.status = 'notice_sent'
		    AND (SELECT count(*) FROM card_records d WHERE d.notice_id = c.notice_id AND to_char(d.birth_date, 'MM-DD') = to_char(c.birth_date, 'MM-DD')) = 1
		    AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.released_at IS NULL AND c.id = ANY (h.card_ids))
		  ORDER BY c.id LIMIT $1 OFFSET $2`,
		[n, offset]
	);
	return rows.map((r) => ({ noticeId: r.notice_id, birthDate: r.birth_date, monthDay: r.birth_date.slice(5) }));
}

/** The link a mail to `email` carries (the newest one). */
export async function linkFor(email: string): Promise<string> {
	const [row] = await sql<{ id: string }>(`SELECT id FROM citizen_links WHERE email = $1 ORDER BY created_at DESC LIMIT 1`, [email]);
	expect(row, `a link for ${email}`).toBeTruthy();
	return linkToken(JWT_SECRET, row.id);
}

/** A citizen session through the contract: link requested, link opened; returns the Bearer token. */
export async function citizenToken(request: APIRequestContext, base: string, email: string): Promise<string> {
	const r = await request.post(`${base}/api/v1/citizen/links`, { data: { email } });
	expect(r.status()).toBe(202);
	const s = await request.post(`${base}/api/v1/citizen/session`, { data: { token: await linkFor(email) } });
	expect(s.status(), await s.text()).toBe(201);
	return (await s.json()).token;
}

/**
 * A booking made as a citizen through the public API (R-C02 → R-C15 → R-C09). The link's token
 * is signed here from the stored link id, as the mail job does.
 */
export async function bookAsCitizen(request: APIRequestContext, base: string, locationId: number, slotId: string, person: { noticeId: string; birthDate: string }) {
	const auth = { authorization: `Bearer ${await citizenToken(request, base, `manage-e2e-${Date.now()}@example.jp`)}` };
	const purposes = await (await request.get(`${base}/api/v1/locations/${locationId}/purposes`)).json();
	const hold = await request.post(`${base}/api/v1/holds`, {
		headers: auth,
		data: { slotId, purposeId: purposes.purposes[0].id, persons: [{ noticeId: person.noticeId, birthMonthDay: person.birthDate.slice(5) }] }
	});
	expect(hold.status(), await hold.text()).toBe(201);
	const confirmed = await request.post(`${base}/api/v1/holds/${(await hold.json()).holdId}/confirm`, { headers: auth, data: { acknowledgedPrecautions: true } });
	expect(confirmed.status(), await confirmed.text()).toBe(201);
	const r: { reservationNumber: string; manageUrl: string } = await confirmed.json();
	return { number: r.reservationNumber, path: new URL(r.manageUrl).pathname };
}
