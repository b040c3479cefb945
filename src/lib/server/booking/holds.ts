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
import { AppError } from '../errors.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { BOOKING_SETTINGS_COLUMNS, toBookingSettings, type BookingSettingsJson } from '../scheduling/settings-read.ts';
import { inTransaction, retrying, synchronousCommit } from '../tx.ts';
import { adjust, datesOf, lockSlots, runOf, SLOT_ROW_COLUMNS, SLOT_NOT_FOUND, toRow, type RawSlot } from './slot-rows.ts';
import { assertBookable, assertPartySize, choosePurpose, slotPassed } from './rules.ts';
import { BOOKABLE_STATUSES, checkPersonCards, mapDoubleBooking, type PersonCard } from './persons.ts';
import type { CardStatus } from '../../domain/card-status.ts';
import type { CitizenPrincipal } from '../citizen/session.ts';
import { assertNotLocked, failedAttempt, verifiablePersons, type CitizenPersonInput } from '../citizen/verify.ts';
import { manageToken, manageUrl } from '../citizen/tokens.ts';
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

/** What a hold reads before it takes any lock, in one round trip: rows and settings that a booking never changes. */
async function holdContext(db: Db, slotId: string) {
	const [row] = await db.sequelize.query<BookingSettingsJson & { slot: RawSlot; bookable: boolean; day: RawSlot[] }>(
		`SELECT row_to_json(s) AS slot,
		        (SELECT citizen_bookable FROM locations WHERE id = s.location_id) AS bookable,
		        (SELECT json_agg(d ORDER BY d.starts_at) FROM (SELECT ${SLOT_ROW_COLUMNS} FROM slots WHERE location_id = s.location_id AND date = s.date) d) AS day,
		        ${BOOKING_SETTINGS_COLUMNS('s.location_id')}
		   FROM (SELECT ${SLOT_ROW_COLUMNS} FROM slots WHERE id = :slotId) s`,
		{ replacements: { slotId }, type: QueryTypes.SELECT }
	);
	if (!row?.bookable) throw new AppError('not_found', SLOT_NOT_FOUND, { en: 'That time was not found.', errors: [{ field: 'slotId', message: '見つかりません。' }] });
	return { head: toRow(row.slot), day: row.day.map(toRow), ...toBookingSettings(row.slot.location_id, row) };
}

/** A refusal raised by the booking functions (SQLSTATE MNR01, db/migrations/20261126000000-booking-functions.ts). */
function refusal(e: unknown): { reason: string; detail: { cards?: CardJson[] } } | null {
	const err = e as { code?: string; message?: string; detail?: string };
	if (err?.code !== 'MNR01') return null;
	return { reason: String(err.message), detail: err.detail ? JSON.parse(err.detail) : {} };
}

interface CardJson {
	id: string;
	notice_id: string;
	md: string;
	status: CardStatus;
	active_booking: string | null;
}

/** Words a card refusal exactly as every booking does (R-C12, the card's status), persons in the order given. */
function cardRefusal(cards: CardJson[], order: (c: CardJson) => number): never {
	const persons: PersonCard[] = cards.map((c) => ({ index: order(c), cardId: c.id, noticeId: c.notice_id, status: c.status })).sort((a, b) => a.index - b.index);
	checkPersonCards(persons, new Map(cards.map((c) => [c.id, { status: c.status, activeBooking: c.active_booking }])), 'citizen');
	throw new AppError('conflict', FULL.ja, { en: FULL.en });
}

const HOLD_SQL = 'SELECT citizen_hold($1, $2, $3, $4, $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9, $10, $11::text[], $12) AS r';
const CONFIRM_SQL = 'SELECT citizen_confirm($1, $2, $3, $4::text[], $5, $6, $7, $8) AS r';

/**
 * R-C15 with R-C03: a citizen session picks a time for verified persons. The rules on settings
 * (open day, window, purpose, party size) are checked first on rows a booking never changes;
 * then one call (citizen_hold) does what needs locks, in one transaction: the persons' cards are
 * found by notice ID + birth month/day and locked (a failure counts towards the lockout, R-C14);
 * none may be booked (R-C12) or held by another session; the session's earlier hold, if any, is
 * given back (one live hold per session); exactly as many places as persons are held with the
 * conditional UPDATE. Lock order: cards, slots, holds.
 */
export async function createHold(ctx: AppContext, citizen: CitizenPrincipal, input: HoldInput, ip: string | null = null): Promise<HoldCreated> {
	const now = ctx.now();
	const client = { sessionId: citizen.sessionId, ip };
	const typedPersons = 'persons' in input ? input.persons : null;
	if (typedPersons) await assertNotLocked(ctx, client, typedPersons);
	const cardIds = typedPersons ? null : (input as { verifiedCardIds: string[] }).verifiedCardIds;
	const partySize = typedPersons ? typedPersons.length : cardIds!.length;

	const { head, day, settings, purposes, city } = await holdContext(ctx.db, input.slotId);
	assertPartySize(city.maxPersonsPerBooking, partySize, 'persons');
	const purpose = choosePurpose(purposes, input.purposeId);
	const run = runOf(day, head, purpose.durationSlots);
	assertBookable(settings, 'citizen', now, run[0]);
	const persons = typedPersons ? verifiablePersons(typedPersons) : null;
	if (typedPersons && !persons) throw await failedAttempt(ctx, client, typedPersons);

	const holdId = randomUUID();
	const expiresAt = new Date(now.getTime() + city.holdMinutes * 60_000);
	let done: { party_size: number; replaced: { location_id: number; dates: string[] }[]; slots: { id: string; date: string; starts_at: string; ends_at: string }[] };
	try {
		[{ r: done }] = await retrying(() =>
			ctx.db.prepared<{ r: typeof done }>('citizen_hold', HOLD_SQL, [
				holdId,
				citizen.sessionId,
				head.locationId,
				purpose.id,
				run.map((x) => x.id),
				persons?.map((p) => p.noticeId) ?? null,
				persons?.map((p) => p.monthDay) ?? null,
				cardIds,
				now,
				expiresAt,
				BOOKABLE_STATUSES,
				synchronousCommit(ctx.config)
			])
		);
	} catch (e) {
		const r = refusal(e);
		if (!r) throw e;
		if (r.reason === 'not_verified') throw await failedAttempt(ctx, client, typedPersons ?? []);
		if (r.reason === 'card') {
			cardRefusal(r.detail.cards ?? [], (c) => (persons ? persons.findIndex((p) => p.noticeId === c.notice_id && p.monthDay === c.md) : cardIds!.indexOf(c.id)));
		}
		if (r.reason === 'held_elsewhere') throw new AppError('conflict', IN_OTHER_HOLD.ja, { en: IN_OTHER_HOLD.en, extra: { reason: 'held_elsewhere' } });
		if (r.reason === 'slot_not_found') throw new AppError('not_found', SLOT_NOT_FOUND, { en: 'That time was not found.', errors: [{ field: 'slotId', message: SLOT_NOT_FOUND }] });
		throw new AppError('conflict', FULL.ja, { en: FULL.en, errors: [{ field: 'slotId', message: '満員です。' }], extra: { reason: 'full' } });
	}
	for (const r of done.replaced) ctx.events.slotsChanged(r.location_id, [...r.dates].sort());
	ctx.events.slotsChanged(head.locationId, datesOf(done.slots));
	const first = done.slots[0];
	const last = done.slots[done.slots.length - 1];
	return {
		holdId,
		expiresAt: tokyoIso(expiresAt),
		precautions: citizen.lang === 'en' ? purpose.precautionsEn : purpose.precautionsJa,
		locationId: head.locationId,
		slotId: first.id,
		startsAt: tokyoIso(new Date(first.starts_at)),
		endsAt: tokyoIso(new Date(last.ends_at)),
		partySize: done.party_size,
		purpose: { id: purpose.id, nameJa: purpose.nameJa, nameEn: purpose.nameEn }
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

interface ReservationJson {
	id: string;
	booking_number: string;
	public_ref: string;
	token_version: number;
	location_id: number;
	purpose_id: number;
	date: string;
	starts_at: string;
	ends_at: string;
	party_size: number;
}

type Confirmed =
	| { kind: 'again'; reservation: ReservationJson }
	| { kind: 'expired'; location_id: number; dates: string[] }
	| { kind: 'booked'; reservation: ReservationJson; dates: string[]; card_changes: { cardId: string; from: string }[] };

/**
 * Turns a live hold into the booking in one call (citizen_confirm, one transaction): the held
 * places become booked places (no capacity check is needed: they were already counted), the
 * verified cards are booked (R-C12 checked again under their locks), the audit row and the
 * confirmation mail's outbox row are written. An expired hold is released and reported, never
 * confirmed. A second confirm of the same hold answers the same booking.
 */
export async function confirmHold(ctx: AppContext, citizen: CitizenPrincipal, holdId: string, ip: string | null = null): Promise<CitizenReservation> {
	const now = ctx.now();
	let done: Confirmed;
	try {
		[{ r: done }] = await retrying(() =>
			ctx.db.prepared<{ r: Confirmed }>('citizen_confirm', CONFIRM_SQL, [holdId, citizen.sessionId, now, BOOKABLE_STATUSES, citizen.email, citizen.lang, ip, synchronousCommit(ctx.config)])
		);
	} catch (e) {
		const r = refusal(e);
		if (!r) {
			// the unique index refused a card (a race past the card check): name the person it belongs to
			if ((e as { code?: string })?.code === '23505') {
				const order = await holdCardOrder(ctx.db, holdId);
				throw mapDoubleBooking(e, order.map((cardId, index) => ({ index, cardId, noticeId: '', status: 'notice_sent' as const })), 'citizen');
			}
			throw e;
		}
		if (r.reason === 'hold_not_found') throw new AppError('not_found', HOLD_NOT_FOUND.ja, { en: HOLD_NOT_FOUND.en });
		if (r.reason === 'passed') throw slotPassed();
		if (r.reason === 'card') {
			const cards = r.detail.cards ?? [];
			const order = await holdCardOrder(ctx.db, holdId);
			cardRefusal(cards, (c) => order.indexOf(c.id));
		}
		throw new AppError('conflict', HOLD_GONE.ja, { en: HOLD_GONE.en, extra: { reason: 'hold_released' } });
	}
	if (done.kind === 'expired') {
		ctx.events.slotsChanged(done.location_id, [...done.dates].sort());
		throw new AppError('conflict', HOLD_EXPIRED.ja, { en: HOLD_EXPIRED.en, extra: { reason: 'hold_expired' } });
	}
	const r = done.reservation;
	if (done.kind === 'booked') {
		const dates = [...done.dates].sort();
		publish(ctx, r.location_id, dates, done.card_changes.map((c) => ({ cardId: c.cardId, locationId: r.location_id, date: r.date, from: c.from, to: 'reserved' })));
	}
	return {
		reservationId: r.id,
		reservationNumber: r.booking_number,
		manageUrl: manageUrl(ctx.publicOrigin, manageToken(ctx.jwtSecret, r.public_ref, r.token_version)),
		locationId: r.location_id,
		purposeId: r.purpose_id,
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		partySize: r.party_size
	};
}

/** The persons' order of a hold's cards, to word a refusal (read only when refusing). */
async function holdCardOrder(db: Db, holdId: string): Promise<string[]> {
	const [row] = await db.sequelize.query<{ card_ids: string[] }>(`SELECT card_ids FROM holds WHERE id = :id`, { replacements: { id: holdId }, type: QueryTypes.SELECT });
	return (row?.card_ids ?? []).map(String);
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
