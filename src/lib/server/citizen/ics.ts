/**
 * R-C09: the calendar entry of a booking (.ics), for the manage page's download link and for any
 * mail that wants to attach it. Times are written as UTC instants (DTSTART:…Z), which every
 * calendar shows in its own zone — 10:30 in Tokyo stays 10:30 in Tokyo, and is right even on a
 * phone set to another zone (a floating local time would not be). The entry carries the booking
 * number and the manage link, never a name, a notice ID or a birth date (R-O05).
 */
import { createEvent } from 'ics';
import { t, type Lang } from '../../i18n.ts';
import type { ManagedReservation } from './manage.ts';

export type IcsInput = Pick<ManagedReservation, 'reservationNumber' | 'status' | 'startsAt' | 'endsAt' | 'location' | 'purpose'>;

export function reservationIcs(v: IcsInput, manageUrl: string, lang: Lang): string {
	const tr = t(lang);
	const en = lang === 'en';
	const place = en ? v.location.nameEn || v.location.nameJa : v.location.nameJa;
	const address = en ? v.location.addressEn || v.location.addressJa : v.location.addressJa;
	const r = createEvent({
		uid: `${v.reservationNumber}@mynumber-reservation`,
		productId: 'mynumber-reservation',
		method: 'PUBLISH',
		start: Date.parse(v.startsAt),
		startInputType: 'utc',
		startOutputType: 'utc',
		end: Date.parse(v.endsAt),
		endInputType: 'utc',
		endOutputType: 'utc',
		title: tr.icsTitle(en ? v.purpose.nameEn || v.purpose.nameJa : v.purpose.nameJa, place),
		location: address ? `${place} ${address}` : place,
		description: tr.icsBody(v.reservationNumber, manageUrl),
		url: manageUrl,
		status: v.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
		busyStatus: 'BUSY'
	});
	if (r.error || !r.value) throw r.error ?? new Error('ics: no output');
	return r.value;
}
