/**
 * R-C15: the time a citizen picks is held for them while they read the precautions (R-C08) and
 * confirm; held places count as taken for everyone else. A hold ends by confirmation (it becomes
 * the booking), by the citizen's cancel, or by expiry (the job, or lazily inside any booking
 * transaction that touches its slots).
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import type { Db } from '../../../../db/index.ts';
import { AppError, isAppError } from '../errors.ts';
import { tokyoIso } from '../slots.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import { inTransaction } from './tx.ts';
import { adjust, datesOf, lockSlots, readSlots, runFrom, take } from './slot-rows.ts';
import { assertBookable, assertPartySize, choosePurpose } from './rules.ts';
import { releaseExpiredWithin } from './hold-release.ts';
import { checkPersonCards, type PersonCard } from './persons.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import type { CitizenPrincipal } from '../citizen/session.ts';
import { assertNotLocked, failedAttempt, lockVerifiedCards, type CitizenPersonInput } from '../citizen/verify.ts';
import { manageToken, manageUrl } from '../citizen/tokens.ts';
import { insertReservation, recordCreated } from './write.ts';
import { publish } from './staff-book.ts';

export interface HoldCreated {
	holdId: string;
	expiresAt: string;
	/** the purpose's precautions in the citizen's language (R-C08): to read and acknowledge before confirming */
	precautions: string;
	locationId: number;
	slotId: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
	purpose: { id: number; nameJa: string; nameEn: string };
}

export type HoldInput =
	| { slotId: string; purposeId: number; persons: CitizenPersonInput[] }
	/** the booking pages: cards already verified for this session (src/lib/server/citizen/draft.ts) */
	| { slotId: string; purposeId: number; verifiedCardIds: string[] };

const HOLD_NOT_FOUND = { ja: 'お取り置き中の予約が見つかりません。もう一度時間を選んでください。', en: 'No time is being held for you. Please choose a time again.' };
const HOLD_GONE = { ja: 'このお取り置きは既に終了しています。もう一度時間を選んでください。', en: 'This hold has ended. Please choose a time again.' };
const HOLD_EXPIRED = {
	ja: 'お取り置きの期限が切れました。お手数ですが、もう一度時間を選んでください。',
	en: 'The time held for you has expired. Please choose a time again.'
};
const FULL = { ja: 'この時間は満員になりました。別の時間を選んでください。', en: 'This time is now full. Please choose another time.' };
const IN_OTHER_HOLD = {
	ja: '入力された方は、別の画面で予約手続き中です。その手続きを終えるか、10分ほどたってからもう一度お試しください。',
	en: 'A person you entered is being booked in another session. Finish that one, or try again in about ten minutes.'
};

/**
 * R-C15 with R-C03: a citizen session picks a time for verified persons. In one transaction:
 * the persons' cards are found by notice ID + birth month/day and locked (a failure counts
 * towards the lockout, R-C14); none may be booked (R-C12) or held by another session; the
 * session's earlier hold, if any, is given back (one live hold per session); exactly as many
 * places as persons are held with the conditional UPDATE. Lock order: cards, slots, holds.
 */
export async function createHold(ctx: AppContext, citizen: CitizenPrincipal, input: HoldInput, ip: string | null = null): Promise<HoldCreated> {
	const now = ctx.now();
	const client = { sessionId: citizen.sessionId, ip };
	const typedPersons = 'persons' in input ? input.persons : null;
	if (typedPersons) await assertNotLocked(ctx, client, typedPersons);
	const partySize = typedPersons ? typedPersons.length : (input as { verifiedCardIds: string[] }).verifiedCardIds.length;
	const holdId = randomUUID();

	const done = await inTransaction(ctx, async (t) => {
		const probe = await runFrom(ctx.db, t, input.slotId, 1);
		const location = await ctx.db.models.Location.findByPk(probe.locationId, { transaction: t });
		if (!location?.citizenBookable) {
			throw new AppError('not_found', '指定された枠が見つかりません。', { en: 'That time was not found.', errors: [{ field: 'slotId', message: '見つかりません。' }] });
		}
		const { settings, purposes, city } = await loadBookingSettings(ctx.db, probe.locationId, t);
		assertPartySize(city.maxPersonsPerBooking, partySize, 'persons');
		const purpose = choosePurpose(purposes, input.purposeId);
		const { ids } = await runFrom(ctx.db, t, input.slotId, purpose.durationSlots);
		assertBookable(settings, 'citizen', now, probe.rows[0]);

		const cards = typedPersons ? await lockVerifiedCards(ctx, t, typedPersons) : await lockCardsById(ctx.db, t, (input as { verifiedCardIds: string[] }).verifiedCardIds);
		if (!cards) return { kind: 'not_verified' as const };
		const cardIds = cards.map((c) => c.cardId);
		const [other] = await ctx.db.sequelize.query<{ id: string }>(
			`SELECT id FROM holds WHERE released_at IS NULL AND expires_at > :now AND card_ids && ARRAY[:cardIds]::bigint[]
			   AND citizen_session_id IS DISTINCT FROM :sid LIMIT 1`,
			{ replacements: { now: now.toISOString(), cardIds, sid: citizen.sessionId }, type: QueryTypes.SELECT, transaction: t }
		);
		if (other) throw new AppError('conflict', IN_OTHER_HOLD.ja, { en: IN_OTHER_HOLD.en, extra: { reason: 'held_elsewhere' } });

		const mine = await ctx.db.sequelize.query<{ id: string; slot_ids: string[]; location_id: number }>(
			`SELECT id, slot_ids, location_id FROM holds WHERE citizen_session_id = :sid AND released_at IS NULL`,
			{ replacements: { sid: citizen.sessionId }, type: QueryTypes.SELECT, transaction: t }
		);
		const oldSlotIds = mine.flatMap((h) => h.slot_ids.map(String));
		const locked = await lockSlots(ctx.db, t, [...new Set([...ids, ...oldSlotIds])]);
		const replaced: { locationId: number; dates: string[] }[] = [];
		for (const h of mine) {
			const live = await ctx.db.sequelize.query<HoldRow>(`SELECT * FROM holds WHERE id = :id AND released_at IS NULL FOR UPDATE`, {
				replacements: { id: h.id },
				type: QueryTypes.SELECT,
				transaction: t
			});
			if (!live.length) continue;
			await release(ctx.db, t, { ...live[0], slot_ids: live[0].slot_ids.map(String) }, 'cancelled', now);
			replaced.push({ locationId: h.location_id, dates: datesOf(locked.filter((s) => h.slot_ids.map(String).includes(s.id))) });
		}
		await releaseExpiredWithin(ctx.db, t, ids, now);
		const short = await take(ctx.db, t, ids, cards.length, 'held');
		if (short.length > 0) {
			throw new AppError('conflict', FULL.ja, { en: FULL.en, errors: [{ field: 'slotId', message: '満員です。' }], extra: { reason: 'full' } });
		}
		const expiresAt = new Date(now.getTime() + city.holdMinutes * 60_000);
		await ctx.db.models.Hold.create(
			{
				id: holdId,
				locationId: probe.locationId,
				purposeId: purpose.id,
				slotIds: ids,
				partySize: cards.length,
				citizenSessionId: citizen.sessionId,
				cardIds,
				expiresAt
			},
			{ transaction: t }
		);
		const slots = locked.filter((s) => ids.includes(s.id));
		return { kind: 'held' as const, slots, purpose, locationId: probe.locationId, expiresAt, partySize: cards.length, replaced };
	});
	if (done.kind === 'not_verified') throw await failedAttempt(ctx, client, typedPersons ?? []);
	for (const r of done.replaced) ctx.events.slotsChanged(r.locationId, r.dates);
	ctx.events.slotsChanged(done.locationId, datesOf(done.slots));
	return {
		holdId,
		expiresAt: tokyoIso(done.expiresAt),
		precautions: citizen.lang === 'en' ? done.purpose.precautionsEn : done.purpose.precautionsJa,
		locationId: done.locationId,
		slotId: done.slots[0].id,
		startsAt: tokyoIso(done.slots[0].startsAt),
		endsAt: tokyoIso(done.slots[done.slots.length - 1].endsAt),
		partySize: done.partySize,
		purpose: { id: done.purpose.id, nameJa: done.purpose.nameJa, nameEn: done.purpose.nameEn }
	};
}

interface HoldRow {
	id: string;
	location_id: number;
	purpose_id: number;
	slot_ids: string[];
	party_size: number;
	citizen_session_id: string | null;
	card_ids: string[];
	expires_at: Date;
	released_at: Date | null;
	release_reason: 'expired' | 'cancelled' | 'confirmed' | null;
	reservation_id: string | null;
}

/** Reads a hold of this session; another session's hold and an unknown id look the same. */
async function findHold(db: Db, holdId: string, sessionId: string, t?: Transaction, lock = false): Promise<HoldRow> {
	const [row] = await db.sequelize.query<HoldRow>(`SELECT * FROM holds WHERE id = :id ${lock ? 'FOR UPDATE' : ''}`, {
		replacements: { id: holdId },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (!row || row.citizen_session_id !== sessionId) throw new AppError('not_found', HOLD_NOT_FOUND.ja, { en: HOLD_NOT_FOUND.en });
	return { ...row, slot_ids: row.slot_ids.map(String), card_ids: (row.card_ids ?? []).map(String) };
}

/** A hold already confirmed (answer with its booking) or otherwise released (answer that it is gone). */
function holdSettled(h: HoldRow): { kind: 'again'; reservationId: string } | { kind: 'gone' } | null {
	if (h.release_reason === 'confirmed' && h.reservation_id) return { kind: 'again', reservationId: String(h.reservation_id) };
	if (h.released_at) return { kind: 'gone' };
	return null;
}

async function release(db: Db, t: Transaction, h: HoldRow, reason: 'expired' | 'cancelled', now: Date): Promise<void> {
	await db.sequelize.query(`UPDATE holds SET released_at = :now, release_reason = :reason WHERE id = :id`, {
		replacements: { id: h.id, now: now.toISOString(), reason },
		transaction: t
	});
	await adjust(db, t, h.slot_ids, { held: -h.party_size });
}

export interface CitizenReservation {
	reservationId: string;
	reservationNumber: string;
	manageUrl: string;
	locationId: number;
	purposeId: number;
	date: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
}

/**
 * Turns a live hold into the booking in one transaction: the held places become booked places
 * (no capacity check is needed: they were already counted), the verified cards are booked
 * (R-C12 checked again under their locks), the confirmation mail is written to the outbox.
 * An expired hold is released and reported, never confirmed. A second confirm of the same hold
 * answers the same booking.
 */
export async function confirmHold(ctx: AppContext, citizen: CitizenPrincipal, holdId: string, ip: string | null = null): Promise<CitizenReservation> {
	const now = ctx.now();
	const done = await inTransaction(ctx, async (t) => {
		const h = await findHold(ctx.db, holdId, citizen.sessionId, t);
		const settled = holdSettled(h);
		if (settled) return settled;
		if (new Date(h.expires_at).getTime() <= now.getTime()) {
			// slots, then the hold: the order the expiry job uses
			const slots = await lockSlots(ctx.db, t, h.slot_ids);
			const live = await findHold(ctx.db, holdId, citizen.sessionId, t, true);
			if (live.released_at) return holdSettled(live)!;
			await release(ctx.db, t, live, 'expired', now);
			return { kind: 'expired' as const, locationId: h.location_id, dates: datesOf(slots) };
		}
		const seen = await readSlots(ctx.db, t, h.slot_ids);
		if (seen[0].startsAt.getTime() <= now.getTime()) assertBookable(null, 'citizen', now, seen[0]);
		// cards, then slots, then the hold (the order every booking takes)
		let cards;
		try {
			cards = await lockCardsById(ctx.db, t, h.card_ids);
		} catch (e) {
			// a double click: the other request confirmed this very hold while we waited for the cards
			const again = isAppError(e) ? holdSettled(await findHold(ctx.db, holdId, citizen.sessionId, t)) : null;
			if (again?.kind === 'again') return again;
			throw e;
		}
		const base = { locationId: h.location_id, purposeId: h.purpose_id, slots: seen, cards, source: 'citizen' as const, actor: { type: 'citizen' as const, id: null, ip } };
		const written = await insertReservation(ctx.db, t, { ...base, email: citizen.email, lang: citizen.lang, audience: 'citizen' });
		await lockSlots(ctx.db, t, h.slot_ids);
		const live = await findHold(ctx.db, holdId, citizen.sessionId, t, true);
		if (live.released_at) throw new AppError('conflict', HOLD_GONE.ja, { en: HOLD_GONE.en, extra: { reason: 'hold_released' } });
		// the held places become booked places: already counted, so no capacity check is needed
		await adjust(ctx.db, t, h.slot_ids, { held: -h.party_size, booked: h.party_size });
		await ctx.db.sequelize.query(
			`UPDATE holds SET released_at = :now, release_reason = 'confirmed', reservation_id = :rid WHERE id = :id`,
			{ replacements: { id: h.id, now: now.toISOString(), rid: written.id }, transaction: t }
		);
		await recordCreated(ctx.db, t, base, written.id, { holdId: h.id });
		return { kind: 'booked' as const, written, locationId: h.location_id, dates: datesOf(seen) };
	});
	if (done.kind === 'gone') throw new AppError('conflict', HOLD_GONE.ja, { en: HOLD_GONE.en, extra: { reason: 'hold_released' } });
	if (done.kind === 'expired') {
		ctx.events.slotsChanged(done.locationId, done.dates);
		throw new AppError('conflict', HOLD_EXPIRED.ja, { en: HOLD_EXPIRED.en, extra: { reason: 'hold_expired' } });
	}
	const reservationId = done.kind === 'again' ? done.reservationId : done.written.id;
	if (done.kind === 'booked') {
		publish(ctx, done.locationId, done.dates, done.written.cardChanges);
		ctx.kickOutbox();
	}
	return citizenReservation(ctx, reservationId);
}

/** The verified cards of a hold, locked in id order, checked again for R-C12 and their status. */
async function lockCardsById(db: Db, t: Transaction, ids: readonly string[]): Promise<PersonCard[]> {
	const rows = await db.sequelize.query<{ id: string; notice_id: string; status: CardStatus; active_booking: string | null }>(
		`SELECT c.id, c.notice_id, c.status,
		        (SELECT r.booking_number FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id
		          WHERE p.card_record_id = c.id AND p.active LIMIT 1) AS active_booking
		   FROM card_records c WHERE c.id = ANY (ARRAY[:ids]::bigint[]) ORDER BY c.id FOR UPDATE OF c`,
		{ replacements: { ids }, type: QueryTypes.SELECT, transaction: t }
	);
	const cards = ids.map((id, index) => {
		const r = rows.find((x) => String(x.id) === id)!;
		return { index, cardId: id, noticeId: r.notice_id, status: r.status };
	});
	checkPersonCards(cards, new Map(rows.map((r) => [String(r.id), { status: r.status, activeBooking: r.active_booking }])), 'citizen');
	return cards;
}

async function citizenReservation(ctx: AppContext, id: string): Promise<CitizenReservation> {
	const r = (await ctx.db.models.Reservation.findByPk(id))!;
	return {
		reservationId: String(r.id),
		reservationNumber: r.bookingNumber,
		manageUrl: manageUrl(ctx.publicOrigin, manageToken(ctx.jwtSecret, r.publicRef, r.tokenVersion)),
		locationId: r.locationId,
		purposeId: r.purposeId,
		date: r.date,
		startsAt: tokyoIso(new Date(r.startsAt)),
		endsAt: tokyoIso(new Date(r.endsAt)),
		partySize: r.partySize
	};
}

export const MAX_EXTENSIONS = 2;

/**
 * WCAG 2.2.1 (timing adjustable): the citizen may ask for more time, twice, while the hold is
 * live. Returns the new expiry.
 */
export async function extendHold(ctx: AppContext, citizen: CitizenPrincipal, holdId: string): Promise<{ expiresAt: string; extensionsLeft: number }> {
	await findHold(ctx.db, holdId, citizen.sessionId);
	const now = ctx.now();
	const [rows] = (await ctx.db.sequelize.query(
		`UPDATE holds SET expires_at = :now::timestamptz + make_interval(mins => (SELECT hold_minutes FROM city_settings WHERE id = 1)),
		        extensions = extensions + 1
		  WHERE id = :id AND released_at IS NULL AND expires_at > :now AND extensions < :max
		 RETURNING expires_at, extensions`,
		{ replacements: { id: holdId, now: now.toISOString(), max: MAX_EXTENSIONS } }
	)) as [{ expires_at: Date; extensions: number }[], unknown];
	if (!rows.length) {
		throw new AppError('conflict', 'お取り置きを延長できません（期限切れ、または延長の上限に達しました）。', {
			en: 'The hold cannot be extended (it has expired, or was already extended as often as allowed).',
			extra: { reason: 'not_extendable' }
		});
	}
	return { expiresAt: tokyoIso(new Date(rows[0].expires_at)), extensionsLeft: MAX_EXTENSIONS - rows[0].extensions };
}

/** The citizen gives the time back (R-C15). Releasing twice is fine; a confirmed hold is not a hold any more. */
export async function cancelHold(ctx: AppContext, citizen: CitizenPrincipal, holdId: string): Promise<void> {
	const peek = await findHold(ctx.db, holdId, citizen.sessionId);
	const done = await inTransaction(ctx, async (t) => {
		const slots = await lockSlots(ctx.db, t, peek.slot_ids);
		const h = await findHold(ctx.db, holdId, citizen.sessionId, t, true);
		if (h.release_reason === 'confirmed') {
			throw new AppError('conflict', 'この予約は既に確定しています。取消は予約完了メールのリンクから行ってください。', {
				en: 'This booking is already confirmed. Cancel it through the link in your confirmation mail.'
			});
		}
		if (h.released_at) return null;
		await release(ctx.db, t, h, 'cancelled', ctx.now());
		return { locationId: h.location_id, dates: datesOf(slots) };
	});
	if (done) ctx.events.slotsChanged(done.locationId, done.dates);
}

/**
 * The expiry job's work: every hold past its time is released, each in its own short transaction
 * that locks the slots first (the order bookings use). Safe to run on several nodes at once:
 * the `released_at IS NULL` re-check under the row lock releases each hold once.
 */
export async function expireHolds(ctx: AppContext, limit = 500): Promise<number> {
	const now = ctx.now();
	const due = await ctx.db.sequelize.query<{ id: string; slot_ids: string[] }>(
		`SELECT id, slot_ids FROM holds WHERE released_at IS NULL AND expires_at <= :now ORDER BY expires_at LIMIT :limit`,
		{ replacements: { now: now.toISOString(), limit }, type: QueryTypes.SELECT }
	);
	let released = 0;
	const changed = new Map<number, Set<string>>();
	for (const d of due) {
		const r = await inTransaction(ctx, async (t) => {
			const slots = await lockSlots(ctx.db, t, d.slot_ids.map(String));
			const [h] = await ctx.db.sequelize.query<HoldRow>(
				`SELECT * FROM holds WHERE id = :id AND released_at IS NULL AND expires_at <= :now FOR UPDATE`,
				{ replacements: { id: d.id, now: now.toISOString() }, type: QueryTypes.SELECT, transaction: t }
			);
			if (!h) return null;
			await release(ctx.db, t, { ...h, slot_ids: h.slot_ids.map(String) }, 'expired', now);
			return { locationId: h.location_id, dates: datesOf(slots) };
		});
		if (!r) continue;
		released++;
		const set = changed.get(r.locationId) ?? new Set<string>();
		r.dates.forEach((x) => set.add(x));
		changed.set(r.locationId, set);
	}
	for (const [locationId, dates] of changed) ctx.events.slotsChanged(locationId, [...dates].sort());
	return released;
}
