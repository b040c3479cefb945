import argon2 from 'argon2';
import type { Db } from '../../db/index.ts';
import type { Role } from '../../src/lib/domain/roles.ts';
import type { CardStatus } from '../../src/lib/domain/card-status.ts';
import {
	DEFAULT_BOOKING_WINDOW,
	DEFAULT_PATTERNS,
	DEFAULT_WEEKLY_PLAN,
	type BookingWindow,
	type LocationRules
} from '../../src/lib/domain/schedule/index.ts';

let seq = 0;
const next = () => `${process.pid}${++seq}`;

export async function makeLocation(db: Db, over: Partial<{ code: string; nameJa: string; citizenBookable: boolean }> = {}) {
	const n = next();
	return db.models.Location.create({ code: over.code ?? `loc${n}`, nameJa: over.nameJa ?? `テスト支所${n}`, nameEn: `Test ${n}`, citizenBookable: over.citizenBookable ?? true });
}

/** A slot at `date` `hh:mm` Tokyo time, 30 minutes long. */
export async function makeSlot(db: Db, locationId: number, date: string, hhmm: string, capacity: number, over: Partial<{ booked: number; held: number }> = {}) {
	const startsAt = new Date(`${date}T${hhmm}:00+09:00`);
	return db.models.Slot.create({
		locationId,
		date,
		startsAt,
		endsAt: new Date(startsAt.getTime() + 30 * 60_000),
		capacity,
		booked: over.booked ?? 0,
		held: over.held ?? 0
	});
}

// Hashing is deliberately slow; tests reuse one hash per password.
const hashes = new Map<string, Promise<string>>();
export async function makeStaff(db: Db, role: Role, password = 'correct horse battery', login = `${role}${next()}`) {
	if (!hashes.has(password)) hashes.set(password, argon2.hash(password, { type: argon2.argon2id }));
	return db.models.StaffUser.create({ login, displayName: `${role} テスト`, role, passwordHash: (await hashes.get(password))! });
}

let bookingSeq = 0;

/**
 * A reservation written straight into the tables, as the booking use case leaves them (slot
 * booked count, linked slot, active persons, cards 予約済), for tests of what comes after booking.
 */
export async function makeReservation(db: Db, slot: { id: string; locationId: number; date: string; startsAt: Date; endsAt: Date }, cardCount = 1) {
	const n = ++bookingSeq;
	const cards = [];
	for (let i = 0; i < cardCount; i++) {
		cards.push(
			await db.models.CardRecord.create({
				noticeId: `9${process.pid}${n}${i}`.slice(0, 12),
				birthDate: `1980-01-${String(1 + i).padStart(2, '0')}`,
				nameKanji: 'テスト 太郎',
				nameKana: 'テスト タロウ',
				storageLocationId: slot.locationId,
				status: 'reserved'
			})
		);
	}
	const [[purpose]] = (await db.sequelize.query(`SELECT id FROM purposes ORDER BY id LIMIT 1`)) as [{ id: number }[], unknown];
	const [[r]] = (await db.sequelize.query(
		`INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, source, created_by)
		 VALUES (:bn, :loc, :purpose, :size, :date, :starts, :ends, 'staff', 'test') RETURNING id`,
		{
			replacements: {
				bn: `T${process.pid % 10000}${n}`.slice(0, 16),
				loc: slot.locationId,
				purpose: purpose.id,
				size: cardCount,
				date: slot.date,
				starts: slot.startsAt.toISOString(),
				ends: slot.endsAt.toISOString()
			}
		}
	)) as [{ id: string }[], unknown];
	await db.sequelize.query(`INSERT INTO reservation_slots (reservation_id, slot_id) VALUES (:r, :s)`, { replacements: { r: r.id, s: slot.id } });
	for (const [i, c] of cards.entries()) {
		await db.sequelize.query(`INSERT INTO reservation_persons (reservation_id, card_record_id, position) VALUES (:r, :c, :p)`, { replacements: { r: r.id, c: c.id, p: i + 1 } });
	}
	await db.sequelize.query(`UPDATE slots SET booked = booked + :n, version = version + 1 WHERE id = :s`, { replacements: { n: cardCount, s: slot.id } });
	return { reservationId: String(r.id), cardIds: cards.map((c) => String(c.id)) };
}

/** A card record in 通知書発送済 (or `status`), with a unique notice ID unless one is given. */
export async function makeCard(db: Db, over: Partial<{ noticeId: string; birthDate: string; status: CardStatus; storageLocationId: number }> = {}) {
	const n = next();
	const storageLocationId = over.storageLocationId ?? (await db.models.Location.findOne({ order: [['id', 'ASC']] }))?.id ?? (await makeLocation(db)).id;
	return db.models.CardRecord.create({
		noticeId: over.noticeId ?? `9${n.padStart(9, '0')}`.slice(-10),
		birthDate: over.birthDate ?? '1980-04-01',
		nameKanji: 'テスト 太郎',
		nameKana: 'テスト タロウ',
		storageLocationId,
		status: over.status ?? 'notice_sent'
	});
}

/** Stored schedule settings for a location: the defaults, with a window wide open unless told otherwise. */
export async function makeSchedule(
	db: Db,
	locationId: number,
	over: Partial<{ rules: Partial<LocationRules>; window: Partial<BookingWindow>; purposeIds: number[] | null }> = {}
) {
	return db.models.LocationSchedule.create({
		locationId,
		patterns: [...(over.rules?.patterns ?? DEFAULT_PATTERNS)],
		weekly: over.rules?.weekly ?? DEFAULT_WEEKLY_PLAN,
		dateExceptions: [...(over.rules?.dateExceptions ?? [])],
		rangeExceptions: [...(over.rules?.rangeExceptions ?? [])],
		bookingWindow: { ...DEFAULT_BOOKING_WINDOW, citizenMinDaysAhead: 0, maxDaysAhead: 366, ...over.window },
		purposeIds: over.purposeIds ?? null
	});
}

export async function purposeId(db: Db, code = 'card_issuance'): Promise<number> {
	return (await db.models.Purpose.findOne({ where: { code } }))!.id;
}

/**
 * A citizen session opened the real way (R-C02): a link requested for `email`, its signed token
 * made from the stored link id as the mail job does, the session opened with it.
 */
export async function citizenSession(ctx: import('../../src/lib/server/context.ts').AppContext, email = `c${next()}@example.jp`, lang: 'ja' | 'en' = 'ja') {
	const { requestLink } = await import('../../src/lib/server/citizen/links.ts');
	const { openCitizenSession, authenticateCitizen } = await import('../../src/lib/server/citizen/session.ts');
	const { linkToken } = await import('../../src/lib/server/citizen/tokens.ts');
	await requestLink(ctx, { email, lang, ip: `10.0.${next().slice(-2)}.1` });
	const [[link]] = (await ctx.db.sequelize.query(`SELECT id FROM citizen_links WHERE email = :email ORDER BY created_at DESC LIMIT 1`, {
		replacements: { email }
	})) as [{ id: string }[], unknown];
	const opened = await openCitizenSession(ctx, linkToken(ctx.jwtSecret, link.id));
	return { ...(await authenticateCitizen(ctx, opened.token))!, token: opened.token, linkId: link.id };
}

/** What a citizen types for a card: its notice ID and birth month-day. */
export const typed = (c: { noticeId: string; birthDate: string }) => ({ noticeId: c.noticeId, birthMonthDay: c.birthDate.slice(5) });
