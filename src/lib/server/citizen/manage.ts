/**
 * R-C10: what a citizen does through the manage link of their mail — read the booking, move it,
 * cancel it, add a household member (verified like everyone, R-C03/R-C14). Each change is one
 * transaction and writes its change mail to the outbox. The manage token is the only key: a
 * wrong or altered one reads as "not found", like an unknown one.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { manageTokenRef, manageTokenValid } from './tokens.ts';
import { maskName } from '../../domain/citizen/person.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { inTransaction } from '../tx.ts';
import { lockActiveReservation } from '../booking/reservation-lock.ts';
import { datesOf, lockSlots, take } from '../booking/slot-rows.ts';
import { releaseExpiredWithin } from '../booking/hold-release.ts';
import { moveReservationAs } from '../booking/move.ts';
import { cancelReservationAs } from '../booking/cancel.ts';
import { outbox, setCardStatus, type Actor } from '../booking/write.ts';
import { publish } from '../booking/staff-book.ts';
import { mapDoubleBooking } from '../booking/persons.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import { assertPartySize } from '../booking/rules.ts';
import { assertNotLocked, failedAttempt, lockVerifiedCards, type CitizenPersonInput } from './verify.ts';

const NOT_FOUND = {
	ja: '予約が見つかりません。メールに記載のリンクをそのまま開いてください。',
	en: 'Booking not found. Please open the link exactly as written in your mail.'
};

export interface ManagedReservation {
	reservationNumber: string;
	status: 'active' | 'cancelled' | 'no_show' | 'completed';
	canChange: boolean;
	location: { id: number; nameJa: string; nameEn: string; addressJa: string; addressEn: string; accessJa: string; accessEn: string };
	purpose: { id: number; nameJa: string; nameEn: string; precautionsJa: string; precautionsEn: string };
	date: string;
	startsAt: string;
	endsAt: string;
	partySize: number;
	maxPersons: number;
	/** names masked (R-C09); never notice IDs or birth dates */
	persons: { position: number; name: string }[];
	/** what the QR code at the counter carries (R-S15) */
	checkinCode: string | null;
	lang: 'ja' | 'en';
	/** when booked and last changed: the calendar entry's SEQUENCE (R-C10) */
	createdAt: string;
	updatedAt: string;
}

interface Row {
	id: string;
	booking_number: string;
	status: ManagedReservation['status'];
	token_version: number;
	location_id: number;
	l_name_ja: string;
	l_name_en: string;
	address_ja: string;
	address_en: string;
	access_ja: string;
	access_en: string;
	purpose_id: number;
	p_name_ja: string;
	p_name_en: string;
	precautions_ja: string;
	precautions_en: string;
	date: string;
	starts_at: Date;
	ends_at: Date;
	party_size: number;
	checked_in_at: Date | null;
	checkin_code: string;
	lang: 'ja' | 'en';
	max_persons: number;
	created_at: Date;
	updated_at: Date;
}

/** The reservation id a manage token opens, or 404. */
export async function resolveManageToken(ctx: AppContext, token: string): Promise<{ id: string }> {
	const ref = manageTokenRef(token);
	if (!ref) throw new AppError('not_found', NOT_FOUND.ja, { en: NOT_FOUND.en });
	const [r] = await ctx.db.sequelize.query<{ id: string; token_version: number }>(`SELECT id, token_version FROM reservations WHERE public_ref = :ref`, {
		replacements: { ref },
		type: QueryTypes.SELECT
	});
	if (!r || !manageTokenValid(ctx.jwtSecret, token, r.token_version)) throw new AppError('not_found', NOT_FOUND.ja, { en: NOT_FOUND.en });
	return { id: String(r.id) };
}

export async function viewManaged(ctx: AppContext, token: string): Promise<ManagedReservation> {
	const { id } = await resolveManageToken(ctx, token);
	const [r] = await ctx.db.sequelize.query<Row>(
		`SELECT r.id, r.booking_number, r.status, r.token_version, r.location_id, l.name_ja AS l_name_ja, l.name_en AS l_name_en,
		        l.address_ja, l.address_en, l.access_ja, l.access_en, r.purpose_id, p.name_ja AS p_name_ja, p.name_en AS p_name_en,
		        p.precautions_ja, p.precautions_en, r.date, r.starts_at, r.ends_at, r.party_size, r.checked_in_at, r.checkin_code, r.lang, r.created_at, r.updated_at,
		        (SELECT max_persons_per_booking FROM city_settings WHERE id = 1) AS max_persons
		   FROM reservations r JOIN locations l ON l.id = r.location_id JOIN purposes p ON p.id = r.purpose_id
		  WHERE r.id = :id`,
		{ replacements: { id }, type: QueryTypes.SELECT }
	);
	const persons = await ctx.db.sequelize.query<{ position: number; name_kanji: string }>(
		`SELECT p.position, c.name_kanji FROM reservation_persons p JOIN card_records c ON c.id = p.card_record_id
		  WHERE p.reservation_id = :id AND (p.active OR :cancelled) ORDER BY p.position`,
		{ replacements: { id, cancelled: r.status === 'cancelled' }, type: QueryTypes.SELECT }
	);
	const started = new Date(r.starts_at).getTime() <= ctx.now().getTime();
	return {
		reservationNumber: r.booking_number,
		status: r.status,
		canChange: r.status === 'active' && !r.checked_in_at && !started,
		location: { id: r.location_id, nameJa: r.l_name_ja, nameEn: r.l_name_en, addressJa: r.address_ja, addressEn: r.address_en, accessJa: r.access_ja, accessEn: r.access_en },
		purpose: { id: r.purpose_id, nameJa: r.p_name_ja, nameEn: r.p_name_en, precautionsJa: r.precautions_ja, precautionsEn: r.precautions_en },
		date: r.date,
		startsAt: tokyoIso(new Date(r.starts_at)),
		endsAt: tokyoIso(new Date(r.ends_at)),
		partySize: r.party_size,
		maxPersons: r.max_persons,
		persons: persons.map((p) => ({ position: p.position, name: maskName(p.name_kanji) })),
		checkinCode: r.status === 'active' ? r.checkin_code : null,
		lang: r.lang,
		createdAt: new Date(r.created_at).toISOString(),
		updatedAt: new Date(r.updated_at).toISOString()
	};
}

const citizenActor = (ip: string | null): Actor => ({ type: 'citizen', id: null, ip });

export async function moveManaged(ctx: AppContext, token: string, slotId: string, ip: string | null = null): Promise<ManagedReservation> {
	const { id } = await resolveManageToken(ctx, token);
	await moveReservationAs(ctx, citizenActor(ip), { reservationId: id, slotId, ip }, { window: 'citizen', canOverride: false });
	return viewManaged(ctx, token);
}

export async function cancelManaged(ctx: AppContext, token: string, ip: string | null = null): Promise<ManagedReservation> {
	const { id } = await resolveManageToken(ctx, token);
	const [r] = await ctx.db.sequelize.query<{ starts_at: Date }>(`SELECT starts_at FROM reservations WHERE id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
	if (new Date(r.starts_at).getTime() <= ctx.now().getTime()) {
		throw new AppError('conflict', '予約の時間を過ぎているため取り消せません。', { en: 'The time of this booking has passed; it can no longer be cancelled.' });
	}
	await cancelReservationAs(ctx, citizenActor(ip), id, '市民による取消');
	return viewManaged(ctx, token);
}

const FULL_FOR_ONE_MORE = {
	ja: 'この時間は満員のため、お一人を追加できません。別の時間に変更してから追加してください。',
	en: 'This time is full, so nobody can be added. Move the booking to another time first, then add the person.'
};

/**
 * Adds a verified household member (R-C07, R-C10): one more place taken in every slot of the
 * booking with the conditional UPDATE (never beyond capacity), the person and their card's
 * move to 予約済, audit and change mail — one transaction. Lock order: reservation, cards, slots.
 */
export async function addManagedPerson(ctx: AppContext, token: string, person: CitizenPersonInput, ip: string | null = null): Promise<ManagedReservation> {
	const { id } = await resolveManageToken(ctx, token);
	const client = { sessionId: `manage:${id}`, ip };
	await assertNotLocked(ctx, client, [person]);
	const now = ctx.now();
	const done = await inTransaction(ctx, async (t) => {
		const r = await lockActiveReservation(ctx.db, t, id);
		const { city } = await loadBookingSettings(ctx.db, r.locationId, t);
		assertPartySize(city.maxPersonsPerBooking, r.partySize + 1, 'persons');
		const cards = await lockVerifiedCards(ctx, t, [person]);
		if (!cards) return { kind: 'not_verified' as const };
		const slots = await lockSlots(ctx.db, t, r.slotIds);
		if (slots[0].startsAt.getTime() <= now.getTime()) {
			throw new AppError('conflict', '予約の時間を過ぎているため変更できません。', { en: 'The time of this booking has passed; it can no longer be changed.' });
		}
		await releaseExpiredWithin(ctx.db, t, r.slotIds, now);
		const short = await take(ctx.db, t, r.slotIds, 1, 'booked');
		if (short.length) throw new AppError('conflict', FULL_FOR_ONE_MORE.ja, { en: FULL_FOR_ONE_MORE.en, extra: { reason: 'full' } });
		try {
			await ctx.db.sequelize.query(
				`INSERT INTO reservation_persons (reservation_id, card_record_id, position)
				 VALUES (:id, :card, (SELECT coalesce(max(position), 0) + 1 FROM reservation_persons WHERE reservation_id = :id))`,
				{ replacements: { id, card: cards[0].cardId }, transaction: t }
			);
		} catch (e) {
			throw mapDoubleBooking(e, cards, 'citizen');
		}
		await ctx.db.sequelize.query(`UPDATE reservations SET party_size = party_size + 1, updated_at = now() WHERE id = :id`, { replacements: { id }, transaction: t });
		const cardChanges = await setCardStatus(ctx.db, t, cards, 'reserved', citizenActor(ip), id, { locationId: r.locationId, date: r.date });
		await audit(ctx, { actorType: 'citizen', actorId: null, action: 'reservation.person_added', targetType: 'reservation', targetId: id, detail: { slotIds: r.slotIds }, ip }, t);
		await outbox(ctx.db, t, 'reservation.person_added', { reservationId: id });
		return { kind: 'added' as const, locationId: r.locationId, dates: datesOf(slots), cardChanges };
	});
	if (done.kind === 'not_verified') throw await failedAttempt(ctx, client, [person]);
	publish(ctx, done.locationId, done.dates, done.cardChanges);
	return viewManaged(ctx, token);
}

