/**
 * The persons of a booking: each a card record found by notice ID + birth date (R-C03), none
 * already in an active reservation (R-C12), each in a status that may be booked.
 */
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { AppError } from '../errors.ts';
import { CARD_STATUS_LABELS, type CardStatus } from '../../domain/card-status.ts';

export interface PersonInput {
	noticeId: string;
	birthDate: string;
}

export interface PersonCard {
	/** 0-based position in the request */
	index: number;
	cardId: string;
	noticeId: string;
	status: CardStatus;
}

/** Staff are told which card and which booking; citizens never learn more than that a person has one. */
export type Audience = 'staff' | 'citizen';

/** A card in one of these may be booked; booking moves it to 予約済. */
export const BOOKABLE_STATUSES: readonly CardStatus[] = ['notice_sent', 'no_show', 'needs_redo'];

export const ONE_ACTIVE_PER_CARD = 'reservation_persons_one_active_per_card';

const nth = (i: number) => `${i + 1}人目`;

function alreadyBooked(audience: Audience, p: { index: number; noticeId: string }, bookingNumber?: string): AppError {
	const message =
		audience === 'staff'
			? `${nth(p.index)}（交付通知書番号 ${p.noticeId}）の方は既に予約があります${bookingNumber ? `（予約番号 ${bookingNumber}）` : ''}。1枚のカードで有効な予約は1件だけです。`
			: `${nth(p.index)}の方は既に予約があります。1人につき有効な予約は1件だけです。予約の変更・取消は予約完了メールのリンクから行ってください。`;
	return new AppError('conflict', message, {
		en: `Person ${p.index + 1} already has a booking. Each person can have only one booking at a time; change or cancel it through the link in your confirmation mail.`,
		errors: [{ field: `persons.${p.index}`, message: '既に予約があります。' }],
		extra: { reason: 'already_booked' }
	});
}

/**
 * Finds and locks (in id order, after the slots) the cards of the persons, and checks each may
 * be booked. `exceptReservationId` lets a change of an existing booking keep its own persons.
 */
export async function lockPersonCards(db: Db, t: Transaction, persons: readonly PersonInput[], audience: Audience): Promise<PersonCard[]> {
	const seen = new Map<string, number>();
	persons.forEach((p, i) => {
		const k = `${p.noticeId}|${p.birthDate}`;
		if (seen.has(k)) {
			throw new AppError('bad_request', `${nth(i)}は${nth(seen.get(k)!)}と同じ方です。同じ方を2回入力することはできません。`, {
				errors: [{ field: `persons.${i}`, message: '同じ方が2回入力されています。' }]
			});
		}
		seen.set(k, i);
	});
	const replacements: Record<string, string> = {};
	const where = persons
		.map((p, i) => {
			replacements[`n${i}`] = p.noticeId;
			replacements[`b${i}`] = p.birthDate;
			return `(notice_id = :n${i} AND birth_date = :b${i})`;
		})
		.join(' OR ');
	// The active booking comes in the same statement. Should this statement wait for another
	// booking's lock on a card, it sees that card's new status (予約済) but not yet the other
	// booking's persons; the status check below and, last, the unique index cover that race.
	const rows = await db.sequelize.query<{ id: string; notice_id: string; birth_date: string; status: CardStatus; active_booking: string | null }>(
		`SELECT c.id, c.notice_id, c.birth_date, c.status,
		        (SELECT r.booking_number FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id
		          WHERE p.card_record_id = c.id AND p.active LIMIT 1) AS active_booking
		   FROM card_records c WHERE ${where} ORDER BY c.id FOR UPDATE OF c`,
		{ replacements, type: QueryTypes.SELECT, transaction: t }
	);
	const byKey = new Map(rows.map((r) => [`${r.notice_id}|${r.birth_date}`, r]));
	const meta = new Map<string, { status: CardStatus; activeBooking: string | null }>();
	const cards: PersonCard[] = persons.map((p, index) => {
		const r = byKey.get(`${p.noticeId}|${p.birthDate}`);
		if (!r) {
			// R-C03: never a hint of which part was wrong
			const message =
				audience === 'staff'
					? `${nth(index)}: 交付通知書番号と生年月日に一致するカードがありません。入力内容をご確認ください。`
					: '交付通知書番号または生年月日が正しくありません。交付通知書をご確認のうえ、もう一度入力してください。';
			throw new AppError('unprocessable', message, {
				errors: audience === 'staff' ? [{ field: `persons.${index}`, message: '交付通知書番号または生年月日が正しくありません。' }] : [],
				extra: { reason: 'card_not_found' }
			});
		}
		meta.set(String(r.id), { status: r.status, activeBooking: r.active_booking });
		return { index, cardId: String(r.id), noticeId: r.notice_id, status: r.status };
	});
	checkPersonCards(cards, meta, audience);
	return cards;
}

/**
 * R-C12 and the card's status, for cards already found and locked: none may be in an active
 * reservation, each must be in a status that may be booked. The persons have proved who they
 * are by now, so naming which of them has a booking tells nobody anything new.
 */
export function checkPersonCards(cards: readonly PersonCard[], meta: ReadonlyMap<string, { status: CardStatus; activeBooking: string | null }>, audience: Audience): void {
	for (const c of cards) {
		const m = meta.get(c.cardId)!;
		if (m.activeBooking || c.status === 'reserved') throw alreadyBooked(audience, c, m.activeBooking ?? undefined);
	}
	for (const c of cards) {
		if (!BOOKABLE_STATUSES.includes(c.status)) {
			const message =
				audience === 'staff'
					? `${nth(c.index)}のカードは「${CARD_STATUS_LABELS[c.status].ja}」のため予約できません。`
					: `${nth(c.index)}の方のカードは現在ご予約いただけません。お手数ですが窓口にお問い合わせください。`;
			throw new AppError('conflict', message, {
				en: `Person ${c.index + 1}'s card cannot be booked at the moment. Please contact the counter.`,
				errors: [{ field: `persons.${c.index}`, message: '予約できない状態です。' }],
				extra: { reason: 'card_not_bookable' }
			});
		}
	}
}

/**
 * The partial unique index is the guarantee when two transactions pass the check above at the
 * same time: the loser's insert fails, and this turns that failure into the same message.
 */
export function mapDoubleBooking(e: unknown, cards: readonly PersonCard[], audience: Audience): unknown {
	// through Sequelize (UniqueConstraintError) or straight from pg (the hot path's prepared calls)
	const parent = (e instanceof UniqueConstraintError ? e.parent : (e as { code?: string })?.code === '23505' ? e : undefined) as { constraint?: string; detail?: string } | undefined;
	if (parent?.constraint !== ONE_ACTIVE_PER_CARD) return e;
	const id = /\(card_record_id\)=\((\d+)\)/.exec(parent.detail ?? '')?.[1];
	const card = cards.find((c) => c.cardId === id) ?? cards[0];
	return alreadyBooked(audience, card);
}
