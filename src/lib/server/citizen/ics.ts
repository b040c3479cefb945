/**
 * R-C09 R-C10: the calendar entry of a booking (.ics) — one builder for the manage page's
 * download and every mail, so a calendar sees one event per booking:
 * - one UID per booking (its booking number), the same from the page and from any mail;
 * - SEQUENCE grows with every change (seconds from the booking's creation to its last change),
 *   so an imported change replaces the entry; a cancel is METHOD:CANCEL with the same UID.
 * Times are UTC instants (…Z), right in any calendar's zone. The entry carries the booking
 * number and the site's address — never the manage link (a secret that calendars sync and
 * share), a name, a notice ID or a birth date (R-O05).
 */
import { createEvent } from 'ics';
import { t, type Lang } from '../../i18n.ts';

export interface IcsBooking {
	reservationNumber: string;
	status: string;
	startsAt: string | Date;
	endsAt: string | Date;
	location: { nameJa: string; nameEn: string; addressJa: string; addressEn: string };
	purpose: { nameJa: string; nameEn: string };
	/** reservations.created_at and updated_at: SEQUENCE is the seconds between them */
	createdAt: string | Date;
	updatedAt: string | Date;
}

export const bookingUid = (reservationNumber: string) => `${reservationNumber}@mynumber-reservation`;

export function icsSequence(createdAt: string | Date, updatedAt: string | Date): number {
	const s = Math.floor((new Date(updatedAt).getTime() - new Date(createdAt).getTime()) / 1000);
	return Number.isFinite(s) && s > 0 ? Math.min(s, 2_000_000_000) : 0;
}

/** The site's booking page in the booking's language: what the entry links to instead of the manage link. */
export function siteUrl(origin: string, lang: Lang): string {
	return `${origin.replace(/\/$/, '')}/${lang === 'en' ? '?lang=en' : ''}`;
}

/** The .ics of a booking; a cancelled booking (or `cancel`) gives the cancelling entry. */
export function reservationIcs(v: IcsBooking, origin: string, lang: Lang, opts: { cancel?: boolean } = {}): string {
	const tr = t(lang);
	const en = lang === 'en';
	const cancel = opts.cancel || v.status === 'cancelled';
	const place = en ? v.location.nameEn || v.location.nameJa : v.location.nameJa;
	const address = en ? v.location.addressEn || v.location.addressJa : v.location.addressJa;
	const url = siteUrl(origin, lang);
	const r = createEvent({
		uid: bookingUid(v.reservationNumber),
		sequence: icsSequence(v.createdAt, v.updatedAt),
		productId: 'mynumber-reservation',
		method: cancel ? 'CANCEL' : 'PUBLISH',
		start: new Date(v.startsAt).getTime(),
		startInputType: 'utc',
		startOutputType: 'utc',
		end: new Date(v.endsAt).getTime(),
		endInputType: 'utc',
		endOutputType: 'utc',
		title: tr.icsTitle(en ? v.purpose.nameEn || v.purpose.nameJa : v.purpose.nameJa, place),
		location: address ? `${place} ${address}` : place,
		description: tr.icsBody(v.reservationNumber, url),
		url,
		status: cancel ? 'CANCELLED' : 'CONFIRMED',
		busyStatus: 'BUSY'
	});
	if (r.error || !r.value) throw r.error ?? new Error('ics: no output');
	return r.value;
}
