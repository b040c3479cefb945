/**
 * R-C03 R-C14: persons are verified by 交付通知書番号 + birth month/day before anything is held.
 * A failure answers one generic message — never which part was wrong nor which person — and
 * counts against the session, the card in that session and the client address; after the limit
 * each is locked out for a while (shared across nodes through Redis), and the answer says when
 * to retry. The card itself, across sessions, is only slowed (R-O04): a lock per card let anyone
 * who knew a notice ID keep its citizen out for good, five wrong birthdays every 30 minutes. Past
 * the limit every try for that card waits 1, 2, 4 … seconds (at most
 * CITIZEN_VERIFY_CARD_MAX_DELAY_SECONDS) before it is answered, whoever sends it, so guessing stays
 * slow while the citizen, in their own session, still gets through.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { countEvent, countOf, failureLock, recordFailure, limitKey, tooMany, type LimitSpec } from '../security/limits.ts';
import { normaliseMonthDay, normaliseNoticeId } from '../../domain/citizen/person.ts';
import { checkPersonCards, type PersonCard } from '../booking/persons.ts';
import type { CardStatus } from '../../domain/card-status.ts';

export interface CitizenPersonInput {
	noticeId: string;
	birthMonthDay: string;
}

export interface Client {
	sessionId: string;
	ip: string | null;
}

export const VERIFY_LOCK_MESSAGE = {
	ja: '入力の誤りが続いたため、確認を一時的に停止しています。',
	en: 'Verification is paused after repeated wrong entries.'
};
export const VERIFY_FAILED = {
	ja: '交付通知書番号または生年月日（月日）が確認できませんでした。交付通知書をご覧のうえ、全員分をもう一度ご確認ください。',
	en: 'We could not verify the notice numbers and birthdays you entered. Please check them against the issuance notice for every person and try again.'
};

function specs(ctx: AppContext): Record<'card' | 'session' | 'ip', LimitSpec> {
	const lock = ctx.config.CITIZEN_VERIFY_LOCK_MINUTES * 60;
	const max = ctx.config.CITIZEN_VERIFY_MAX_FAILURES;
	return {
		// the card as tried from one session
		card: { points: max, seconds: lock, blockSeconds: lock },
		session: { points: max, seconds: lock, blockSeconds: lock },
		ip: { points: ctx.config.CITIZEN_VERIFY_MAX_FAILURES_PER_IP, seconds: lock, blockSeconds: lock }
	};
}
/** Failures per card from any session: counted, never locking (see the top). */
const cardSlowSpec = (ctx: AppContext): LimitSpec => ({ points: 1_000_000, seconds: ctx.config.CITIZEN_VERIFY_LOCK_MINUTES * 60 });
const cardSlowKey = (noticeId: string) => limitKey('card', noticeId);

function keysOf(client: Client, noticeIds: readonly string[]) {
	return [
		['session', limitKey(client.sessionId)] as const,
		['ip', limitKey(client.ip ?? 'unknown')] as const,
		...noticeIds.map((n) => ['card', limitKey('card-session', client.sessionId, n)] as const)
	];
}

/** The delay before a card past the limit is tried again: 1, 2, 4 … seconds, at most `max`. */
export function cardDelaySeconds(failures: number, limit: number, max: number): number {
	return failures < limit ? 0 : Math.min(max, 2 ** Math.min(30, failures - limit));
}

/** Shapes first: a person typed so that it cannot be any card is a failure like any other. */
export function normalisePersons(persons: readonly CitizenPersonInput[]): { noticeId: string; monthDay: string }[] | null {
	const out = persons.map((p) => ({ noticeId: normaliseNoticeId(p.noticeId), monthDay: normaliseMonthDay(p.birthMonthDay) }));
	return out.every((p) => p.noticeId && p.monthDay) ? (out as { noticeId: string; monthDay: string }[]) : null;
}

/** 429 when any key of this attempt is locked out now. */
export async function assertNotLocked(ctx: AppContext, client: Client, persons: readonly CitizenPersonInput[]): Promise<void> {
	const s = specs(ctx);
	const ids = persons.map((p) => normaliseNoticeId(p.noticeId)).filter((x): x is string => !!x);
	// together: the Redis client sends commands of one tick in one write
	const waits = await Promise.all(keysOf(client, ids).map(([kind, key]) => failureLock(ctx, `verify-${kind}`, s[kind], key)));
	const wait = Math.max(0, ...waits.map((w) => w ?? 0));
	if (wait > 0) throw tooMany(wait, VERIFY_LOCK_MESSAGE, ctx.now());
	const failures = await Promise.all(ids.map((n) => countOf(ctx, 'verify-card-slow', cardSlowSpec(ctx), cardSlowKey(n))));
	const delay = cardDelaySeconds(Math.max(0, ...failures), ctx.config.CITIZEN_VERIFY_MAX_FAILURES, ctx.config.CITIZEN_VERIFY_CARD_MAX_DELAY_SECONDS);
	if (delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
}

/** Counts a failed attempt; the error to answer (422, or 429 when this failure reached a limit). */
export async function failedAttempt(ctx: AppContext, client: Client, persons: readonly CitizenPersonInput[]): Promise<AppError> {
	const s = specs(ctx);
	const ids = persons.map((p) => normaliseNoticeId(p.noticeId)).filter((x): x is string => !!x);
	let wait = 0;
	for (const [kind, key] of keysOf(client, ids)) wait = Math.max(wait, (await recordFailure(ctx, `verify-${kind}`, s[kind], key)) ?? 0);
	for (const n of ids) await countEvent(ctx, 'verify-card-slow', cardSlowSpec(ctx), cardSlowKey(n));
	ctx.log.info({ event: 'citizen.verify_failed', locked: wait > 0 }, 'citizen verification failed');
	if (wait > 0) return tooMany(wait, VERIFY_LOCK_MESSAGE, ctx.now());
	return new AppError('unprocessable', VERIFY_FAILED.ja, { en: VERIFY_FAILED.en, extra: { reason: 'not_verified' } });
}

/** The persons normalised (null when one cannot be any card); the same person twice is refused. */
export function verifiablePersons(persons: readonly CitizenPersonInput[]): { noticeId: string; monthDay: string }[] | null {
	const norm = normalisePersons(persons);
	if (!norm) return null;
	const seen = new Set<string>();
	for (const p of norm) {
		const k = `${p.noticeId}|${p.monthDay}`;
		if (seen.has(k)) {
			throw new AppError('unprocessable', '同じ方が2回入力されています。', {
				en: 'The same person has been entered twice.',
				extra: { reason: 'duplicate_person' }
			});
		}
		seen.add(k);
	}
	return norm;
}

/**
 * Finds and locks (id order) the card of each person inside the caller's transaction. Returns
 * null when any person matches no card, or more than one (a notice ID repeated with the same
 * month and day: only the counter can tell them apart). Cards found are then checked for R-C12
 * and their status exactly as for any booking.
 */
export async function lockVerifiedCards(
	ctx: AppContext,
	t: Transaction,
	persons: readonly CitizenPersonInput[]
): Promise<PersonCard[] | null> {
	const norm = verifiablePersons(persons);
	if (!norm) return null;
	const replacements: Record<string, string> = {};
	const where = norm
		.map((p, i) => {
			replacements[`n${i}`] = p.noticeId;
			replacements[`m${i}`] = p.monthDay;
			return `(notice_id = :n${i} AND to_char(birth_date, 'MM-DD') = :m${i})`;
		})
		.join(' OR ');
	const rows = await ctx.db.sequelize.query<{ id: string; notice_id: string; md: string; status: CardStatus; active_booking: string | null }>(
		`SELECT c.id, c.notice_id, to_char(c.birth_date, 'MM-DD') AS md, c.status,
		        (SELECT r.booking_number FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id
		          WHERE p.card_record_id = c.id AND p.active LIMIT 1) AS active_booking
		   FROM card_records c WHERE ${where} ORDER BY c.id FOR UPDATE OF c`,
		{ replacements, type: QueryTypes.SELECT, transaction: t }
	);
	const found: PersonCard[] = [];
	const meta = new Map<string, { status: CardStatus; activeBooking: string | null }>();
	for (const [index, p] of norm.entries()) {
		const matches = rows.filter((r) => r.notice_id === p.noticeId && r.md === p.monthDay);
		if (matches.length !== 1) return null;
		const r = matches[0];
		found.push({ index, cardId: String(r.id), noticeId: r.notice_id, status: r.status });
		meta.set(String(r.id), { status: r.status, activeBooking: r.active_booking });
	}
	checkPersonCards(found, meta, 'citizen');
	return found;
}
