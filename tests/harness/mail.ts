/** Factories and readers for mail tests: a booking with an address, outbox rows, QR decoding. */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Db } from '../../db/index.ts';
import { makeLocation, makeReservation, makeSlot } from './factories.ts';
import type { SinkMessage } from '../../server/dev/mail-sink.ts';

export interface MailBooking {
	reservationId: string;
	bookingNumber: string;
	checkinCode: string;
	noticeIds: string[];
	birthDates: string[];
	email: string;
	locationId: number;
}

let n = 0;
/** A booking of two persons (山田 太郎, 山田 花子), `date` 10:30–11:00 Tokyo, at a location with an address and access. */
export async function mailBooking(
	db: Db,
	over: { lang?: 'ja' | 'en'; email?: string | null; date?: string; hhmm?: string; locationName?: string } = {}
): Promise<MailBooking> {
	const loc = await makeLocation(db, { nameJa: over.locationName ?? `中央市民センター${++n}` });
	await loc.update({ addressJa: '中央町1-2-3', addressEn: '1-2-3 Chuo-cho', accessJa: '中央駅から徒歩5分', accessEn: '5 min walk from Chuo Station' });
	const slot = await makeSlot(db, loc.id, over.date ?? '2026-11-25', over.hhmm ?? '10:30', 5);
	const r = await makeReservation(db, slot, 2);
	await db.sequelize.query(`UPDATE card_records SET name_kanji = '山田 太郎', name_kana = 'ヤマダ タロウ' WHERE id = :id`, { replacements: { id: r.cardIds[0] } });
	await db.sequelize.query(`UPDATE card_records SET name_kanji = '山田 花子', name_kana = 'ヤマダ ハナコ' WHERE id = :id`, { replacements: { id: r.cardIds[1] } });
	const email = over.email === undefined ? `taro${process.pid}x${++n}@example.jp` : over.email;
	const [[row]] = (await db.sequelize.query(`UPDATE reservations SET email = :email, lang = :lang WHERE id = :id RETURNING booking_number, checkin_code`, {
		replacements: { id: r.reservationId, email, lang: over.lang ?? 'ja' }
	})) as [{ booking_number: string; checkin_code: string }[], unknown];
	const [cards] = (await db.sequelize.query(`SELECT notice_id, birth_date FROM card_records WHERE id IN (:ids)`, { replacements: { ids: r.cardIds } })) as [
		{ notice_id: string; birth_date: string }[],
		unknown
	];
	return {
		reservationId: r.reservationId,
		bookingNumber: row.booking_number,
		checkinCode: row.checkin_code,
		noticeIds: cards.map((c) => c.notice_id),
		birthDates: cards.map((c) => c.birth_date),
		email: email ?? '',
		locationId: loc.id
	};
}

export async function enqueueMail(db: Db, topic: string, payload: Record<string, unknown>, at = new Date()): Promise<string> {
	const [[row]] = (await db.sequelize.query(`INSERT INTO outbox (topic, payload, next_attempt_at) VALUES (:topic, CAST(:p AS jsonb), :at) RETURNING id`, {
		replacements: { topic, p: JSON.stringify(payload), at: at.toISOString() }
	})) as [{ id: string }[], unknown];
	return String(row.id);
}

export interface OutboxState {
	attempts: number;
	published_at: Date | null;
	failed_at: Date | null;
	next_attempt_at: Date;
	last_error: string | null;
}

export async function outboxRow(db: Db, id: string): Promise<OutboxState> {
	const [[row]] = (await db.sequelize.query(`SELECT * FROM outbox WHERE id = :id`, { replacements: { id } })) as [OutboxState[], unknown];
	return row;
}

/** The sink's messages of one outbox row (by the Message-ID derived from its id). */
export const mailsOf = (messages: readonly SinkMessage[], outboxId: string): SinkMessage[] => messages.filter((m) => m.messageId?.includes(`<outbox-${outboxId}.`));

/** Everything a reader or a mail server could see of a message, as text. */
export function everything(m: SinkMessage): string {
	return [m.subject, m.text, m.html ?? '', JSON.stringify(m.headers), ...m.attachments.map((a) => (a.contentType.startsWith('text/') ? a.content.toString('utf8') : (a.filename ?? '')))].join('\n');
}

export function decodeQr(png: Buffer): string | null {
	const img = PNG.sync.read(png);
	return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data ?? null;
}

