/**
 * R-C15: the time a citizen picks is held for them while they read the precautions (R-C08) and
 * confirm; held places count as taken for everyone else. A hold ends by confirmation (it becomes
 * the booking), by the citizen's cancel, or by expiry (the job, or lazily inside any booking
 * transaction that touches its slots).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
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
import { lockPersonCards, type PersonInput } from './persons.ts';
import { insertReservation, recordCreated } from './write.ts';
import { publish } from './staff-book.ts';

export interface HoldCreated {
	holdId: string;
	/** shown once; only its hash is stored */
	holdToken: string;
	expiresAt: string;
	locationId: number;
	startsAt: string;
	endsAt: string;
	partySize: number;
	purpose: { id: number; nameJa: string; nameEn: string };
	precautions: { ja: string; en: string };
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const HOLD_NOT_FOUND = 'お取り置き中の予約が見つかりません。もう一度時間を選んでください。';

export async function createHold(ctx: AppContext, input: { slotId: string; purposeId: number; partySize: number }): Promise<HoldCreated> {
	const now = ctx.now();
	const token = randomBytes(32).toString('base64url');
	const holdId = randomUUID();

	const done = await inTransaction(ctx, async (t) => {
		const probe = await runFrom(ctx.db, t, input.slotId, 1);
		const location = await ctx.db.models.Location.findByPk(probe.locationId, { transaction: t });
		if (!location?.citizenBookable) throw new AppError('not_found', '指定された枠が見つかりません。', { errors: [{ field: 'slotId', message: '見つかりません。' }] });
		const { settings, purposes, city } = await loadBookingSettings(ctx.db, probe.locationId, t);
		assertPartySize(city.maxPersonsPerBooking, input.partySize, 'partySize');
		const purpose = choosePurpose(purposes, input.purposeId);
		const expiresAt = new Date(now.getTime() + city.holdMinutes * 60_000);
		const { ids } = await runFrom(ctx.db, t, input.slotId, purpose.durationSlots);
		const slots = await lockSlots(ctx.db, t, ids);
		assertBookable(settings, 'citizen', now, slots[0]);
		await releaseExpiredWithin(ctx.db, t, ids, now);
		const short = await take(ctx.db, t, ids, input.partySize, 'held');
		if (short.length > 0) {
			throw new AppError('conflict', 'この時間は満員になりました。別の時間を選んでください。', {
				errors: [{ field: 'slotId', message: '満員です。' }],
				extra: { reason: 'full' }
			});
		}
		await ctx.db.models.Hold.create(
			{
				id: holdId,
				locationId: probe.locationId,
				purposeId: purpose.id,
				slotIds: ids,
				partySize: input.partySize,
				tokenHash: hashToken(token),
				expiresAt
			},
			{ transaction: t }
		);
		return { slots, purpose, locationId: probe.locationId, expiresAt };
	});
	ctx.events.slotsChanged(done.locationId, datesOf(done.slots));
	return {
		holdId,
		holdToken: token,
		expiresAt: tokyoIso(done.expiresAt),
		locationId: done.locationId,
		startsAt: tokyoIso(done.slots[0].startsAt),
		endsAt: tokyoIso(done.slots[done.slots.length - 1].endsAt),
		partySize: input.partySize,
		purpose: { id: done.purpose.id, nameJa: done.purpose.nameJa, nameEn: done.purpose.nameEn },
		precautions: { ja: done.purpose.precautionsJa, en: done.purpose.precautionsEn }
	};
}

interface HoldRow {
	id: string;
	location_id: number;
	purpose_id: number;
	slot_ids: string[];
	party_size: number;
	token_hash: string;
	expires_at: Date;
	released_at: Date | null;
	release_reason: 'expired' | 'cancelled' | 'confirmed' | null;
	reservation_id: string | null;
}

function tokenMatches(row: { token_hash: string }, token: string): boolean {
	const a = Buffer.from(row.token_hash, 'hex');
	const b = Buffer.from(hashToken(token), 'hex');
	return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads a hold by id and token; an unknown id and a wrong token look the same. */
async function findHold(db: Db, holdId: string, token: string, t?: Transaction, lock = false): Promise<HoldRow> {
	const [row] = await db.sequelize.query<HoldRow>(`SELECT * FROM holds WHERE id = :id ${lock ? 'FOR UPDATE' : ''}`, {
		replacements: { id: holdId },
		type: QueryTypes.SELECT,
		transaction: t
	});
	if (!row || !tokenMatches(row, token)) throw new AppError('not_found', HOLD_NOT_FOUND);
	return { ...row, slot_ids: row.slot_ids.map(String) };
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

export interface ConfirmInput {
	holdToken: string;
	persons: PersonInput[];
	email?: string | null;
	ip?: string | null;
}

export interface CitizenReservation {
	reservationId: string;
	bookingNumber: string;
	locationId: number;
	purposeId: number;
	date: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
}

/**
 * Turns a live hold into the booking in one transaction: the held places become booked places
 * (no capacity check is needed: they were already counted), persons are verified (R-C03) and
 * checked against R-C12. An expired hold is released and reported, never confirmed.
 */
export async function confirmHold(ctx: AppContext, holdId: string, input: ConfirmInput): Promise<CitizenReservation> {
	const now = ctx.now();
	const peek = await findHold(ctx.db, holdId, input.holdToken);
	if (input.persons.length !== peek.party_size) {
		throw new AppError('unprocessable', `お取り置きした人数（${peek.party_size}人）分の方を入力してください。`, {
			errors: [{ field: 'persons', message: `${peek.party_size}人分を入力してください。` }]
		});
	}
	const done = await inTransaction(ctx, async (t) => {
		const h = await findHold(ctx.db, holdId, input.holdToken, t);
		const settled = holdSettled(h);
		if (settled) return settled;
		if (new Date(h.expires_at).getTime() <= now.getTime()) {
			// slots, then the hold: the order the expiry job uses
			const slots = await lockSlots(ctx.db, t, h.slot_ids);
			const live = await findHold(ctx.db, holdId, input.holdToken, t, true);
			if (live.released_at) return holdSettled(live)!;
			await release(ctx.db, t, live, 'expired', now);
			return { kind: 'expired' as const, locationId: h.location_id, dates: datesOf(slots) };
		}
		const seen = await readSlots(ctx.db, t, h.slot_ids);
		if (seen[0].startsAt.getTime() <= now.getTime()) assertBookable(null, 'citizen', now, seen[0]);
		// cards, then slots, then the hold (the order every booking takes)
		let cards;
		try {
			cards = await lockPersonCards(ctx.db, t, input.persons, 'citizen');
		} catch (e) {
			// a double click: the other request confirmed this very hold while we waited for the cards
			const again = isAppError(e) ? holdSettled(await findHold(ctx.db, holdId, input.holdToken, t)) : null;
			if (again?.kind === 'again') return again;
			throw e;
		}
		const base = { locationId: h.location_id, purposeId: h.purpose_id, slots: seen, cards, source: 'citizen' as const, actor: { type: 'citizen' as const, id: null, ip: input.ip } };
		const written = await insertReservation(ctx.db, t, { ...base, email: input.email ?? null, audience: 'citizen' });
		await lockSlots(ctx.db, t, h.slot_ids);
		const live = await findHold(ctx.db, holdId, input.holdToken, t, true);
		if (live.released_at) throw new AppError('conflict', 'このお取り置きは既に終了しています。もう一度時間を選んでください。', { extra: { reason: 'hold_released' } });
		// the held places become booked places: already counted, so no capacity check is needed
		await adjust(ctx.db, t, h.slot_ids, { held: -h.party_size, booked: h.party_size });
		await ctx.db.sequelize.query(
			`UPDATE holds SET released_at = :now, release_reason = 'confirmed', reservation_id = :rid WHERE id = :id`,
			{ replacements: { id: h.id, now: now.toISOString(), rid: written.id }, transaction: t }
		);
		await recordCreated(ctx.db, t, base, written.id, { holdId: h.id });
		return { kind: 'booked' as const, written, locationId: h.location_id, dates: datesOf(seen) };
	});
	if (done.kind === 'gone') throw new AppError('conflict', 'このお取り置きは既に終了しています。もう一度時間を選んでください。', { extra: { reason: 'hold_released' } });
	if (done.kind === 'expired') {
		ctx.events.slotsChanged(done.locationId, done.dates);
		throw new AppError('conflict', 'お取り置きの期限が切れました。お手数ですが、もう一度時間を選んでください。', { extra: { reason: 'hold_expired' } });
	}
	const reservationId = done.kind === 'again' ? done.reservationId : done.written.id;
	if (done.kind === 'booked') publish(ctx, done.locationId, done.dates, done.written.cardChanges);
	return citizenReservation(ctx.db, reservationId);
}

async function citizenReservation(db: Db, id: string): Promise<CitizenReservation> {
	const r = (await db.models.Reservation.findByPk(id))!;
	return {
		reservationId: String(r.id),
		bookingNumber: r.bookingNumber,
		locationId: r.locationId,
		purposeId: r.purposeId,
		date: r.date,
		startsAt: tokyoIso(new Date(r.startsAt)),
		endsAt: tokyoIso(new Date(r.endsAt)),
		partySize: r.partySize
	};
}

/** The citizen gives the time back (R-C15). Releasing twice is fine; a confirmed hold is not a hold any more. */
export async function cancelHold(ctx: AppContext, holdId: string, holdToken: string): Promise<void> {
	const peek = await findHold(ctx.db, holdId, holdToken);
	const done = await inTransaction(ctx, async (t) => {
		const slots = await lockSlots(ctx.db, t, peek.slot_ids);
		const h = await findHold(ctx.db, holdId, holdToken, t, true);
		if (h.release_reason === 'confirmed') throw new AppError('conflict', 'この予約は既に確定しています。取消は予約完了メールのリンクから行ってください。');
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
