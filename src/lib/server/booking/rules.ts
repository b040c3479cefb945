/**
 * The booking rules checked on locked rows, each one small and pure over what was read
 * (the cal.com "short pipeline of validators" seam).
 */
import { AppError } from '../errors.ts';
import { bookableRange, isBookable, resolveDay, type Actor } from '../../domain/schedule/index.ts';
import type { LocationSettings, PurposeRow } from '../scheduling/settings-read.ts';
import type { SlotRow } from './slot-rows.ts';

const slotField = (message: string) => [{ field: 'slotId', message }];

/** The time of the slot has come or gone: nobody can book it any more. */
export function slotPassed(): AppError {
	return new AppError('unprocessable', 'この枠の受付時間は過ぎています。別の時間を選んでください。', { en: 'This time has passed. Please choose another time.', errors: slotField('過去の枠です。') });
}

/** R-S07 and R-S06: the first slot of the run must be inside the actor's window on an open day. */
export function assertBookable(settings: LocationSettings | null, actor: Actor, now: Date, first: SlotRow): void {
	if (first.startsAt.getTime() <= now.getTime()) throw slotPassed();
	if (!settings) return;
	const day = resolveDay(settings.rules, first.date);
	if (!day.open) {
		throw new AppError('unprocessable', 'この日は閉庁日のため予約できません。', { en: 'The office is closed on this day.', errors: slotField('閉庁日です。') });
	}
	const verdict = isBookable(settings.window, actor, now, first.date, first.start);
	if (verdict === true) return;
	const range = bookableRange(settings.window, actor, now);
	const message =
		verdict === 'too_soon'
			? `この日はまだ予約できません。${range.from} 以降の日を選んでください。`
			: verdict === 'too_late'
				? `この日は受付期間外です。${range.to} までの日を選んでください。`
				: verdict === 'cutoff'
					? `本日分の予約受付は ${settings.window.staffSameDayCutoff} で終了しました。`
					: 'この枠の受付時間は過ぎています。';
	const en =
		verdict === 'too_soon'
			? `This day cannot be booked yet. Please choose a day from ${range.from}.`
			: verdict === 'too_late'
				? `This day is outside the booking period. Please choose a day up to ${range.to}.`
				: 'Bookings for this time have closed.';
	throw new AppError('unprocessable', message, { en, errors: slotField('受付期間外です。') });
}

/** The purpose asked for (or the location's first) if this location offers it (R-S17). */
export function choosePurpose(offered: readonly PurposeRow[], purposeId: number | undefined): PurposeRow {
	const purpose = purposeId === undefined ? offered[0] : offered.find((p) => p.id === purposeId);
	if (!purpose) {
		throw new AppError('unprocessable', 'この交付場所では選択された用件を受け付けていません。', {
			en: 'This location does not offer the chosen purpose.',
			errors: [{ field: 'purposeId', message: '受け付けていない用件です。' }]
		});
	}
	return purpose;
}

/** R-C07: the city's limit on persons per booking. */
export function assertPartySize(maxPersonsPerBooking: number, size: number, field = 'persons'): void {
	if (size < 1 || size > maxPersonsPerBooking) {
		throw new AppError('unprocessable', `1回の予約でお申し込みできるのは${maxPersonsPerBooking}人までです。`, {
			en: `Up to ${maxPersonsPerBooking} people can be booked at once.`,
			errors: [{ field, message: `1〜${maxPersonsPerBooking}人で入力してください。` }],
			extra: { maxPersons: maxPersonsPerBooking }
		});
	}
}
