/**
 * What a mail needs, read in one query each: a reservation with its location, purpose, persons
 * and the city's settings; or a sign-in link with the settings. Names are read to be masked by
 * the renderer; notice IDs and birth dates are never read at all.
 */
import { QueryTypes } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { pickText, type LocalizedText } from '../../domain/locale-text.ts';

export type Lang = 'ja' | 'en';

export interface CityMailSettings {
	cityNameJa: string;
	cityNameEn: string;
	contactJa: string;
	contactEn: string;
	linkMinutes: number;
	reminderDays: number;
}

export interface ReservationMailData {
	id: string;
	bookingNumber: string;
	status: string;
	email: string | null;
	lang: Lang;
	publicRef: string;
	tokenVersion: number;
	checkinCode: string;
	startsAt: Date;
	endsAt: Date;
	cancelledAt: Date | null;
	createdAt: Date;
	updatedAt: Date;
	location: { nameJa: string; nameEn: string; addressJa: string; addressEn: string; accessJa: string; accessEn: string };
	purpose: { nameJa: string; nameEn: string; precautionsJa: string; precautionsEn: string };
	/** kanji and kana names, in booking order; to be masked */
	persons: { nameKanji: string; nameKana: string }[];
	city: CityMailSettings;
}

const CITY_COLUMNS = `s.city_name, s.contact, s.link_minutes, s.reminder_days`;

/** The city's texts are stored per locale (R-S18); a mail takes its language's, with the fallback. */
type CityRow = { city_name: LocalizedText; contact: LocalizedText; link_minutes: number; reminder_days: number };
const city = (r: CityRow): CityMailSettings => ({
	cityNameJa: pickText(r.city_name, 'ja'),
	cityNameEn: pickText(r.city_name, 'en'),
	contactJa: pickText(r.contact, 'ja'),
	contactEn: pickText(r.contact, 'en'),
	linkMinutes: r.link_minutes,
	reminderDays: r.reminder_days
});

export async function loadReservationMail(db: Db, reservationId: string): Promise<ReservationMailData | null> {
	if (!/^\d{1,18}$/.test(String(reservationId))) return null;
	const [r] = await db.sequelize.query<
		CityRow & {
			id: string;
			booking_number: string;
			status: string;
			email: string | null;
			lang: Lang;
			public_ref: string;
			token_version: number;
			checkin_code: string;
			starts_at: Date;
			ends_at: Date;
			cancelled_at: Date | null;
			created_at: Date;
			updated_at: Date;
			l_name_ja: string;
			l_name_en: string;
			address_ja: string;
			address_en: string;
			access_ja: string;
			access_en: string;
			p_name_ja: string;
			p_name_en: string;
			precautions_ja: string;
			precautions_en: string;
			persons: { nameKanji: string; nameKana: string }[] | null;
		}
	>(
		`SELECT r.id, r.booking_number, r.status, r.email, r.lang, r.public_ref, r.token_version, r.checkin_code,
		        r.starts_at, r.ends_at, r.cancelled_at, r.created_at, r.updated_at,
		        l.name_ja AS l_name_ja, l.name_en AS l_name_en, l.address_ja, l.address_en, l.access_ja, l.access_en,
		        p.name_ja AS p_name_ja, p.name_en AS p_name_en, p.precautions_ja, p.precautions_en,
		        ${CITY_COLUMNS},
		        (SELECT json_agg(json_build_object('nameKanji', c.name_kanji, 'nameKana', c.name_kana) ORDER BY rp.position)
		           FROM reservation_persons rp JOIN card_records c ON c.id = rp.card_record_id
		          WHERE rp.reservation_id = r.id AND (rp.active OR r.status <> 'active')) AS persons
		   FROM reservations r
		   JOIN locations l ON l.id = r.location_id
		   JOIN purposes p ON p.id = r.purpose_id
		   CROSS JOIN (SELECT * FROM city_settings ORDER BY id LIMIT 1) s
		  WHERE r.id = :id`,
		{ replacements: { id: reservationId }, type: QueryTypes.SELECT }
	);
	if (!r) return null;
	return {
		id: String(r.id),
		bookingNumber: r.booking_number,
		status: r.status,
		email: r.email,
		lang: r.lang === 'en' ? 'en' : 'ja',
		publicRef: r.public_ref,
		tokenVersion: r.token_version,
		checkinCode: r.checkin_code,
		startsAt: new Date(r.starts_at),
		endsAt: new Date(r.ends_at),
		cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
		createdAt: new Date(r.created_at),
		updatedAt: new Date(r.updated_at),
		location: { nameJa: r.l_name_ja, nameEn: r.l_name_en, addressJa: r.address_ja, addressEn: r.address_en, accessJa: r.access_ja, accessEn: r.access_en },
		purpose: { nameJa: r.p_name_ja, nameEn: r.p_name_en, precautionsJa: r.precautions_ja, precautionsEn: r.precautions_en },
		persons: r.persons ?? [],
		city: city(r)
	};
}

export interface LinkMailData {
	id: string;
	email: string;
	lang: Lang;
	expiresAt: Date;
	usedAt: Date | null;
	city: CityMailSettings;
}

export async function loadLinkMail(db: Db, linkId: string): Promise<LinkMailData | null> {
	if (!/^[0-9a-f-]{36}$/i.test(String(linkId))) return null;
	const [r] = await db.sequelize.query<CityRow & { id: string; email: string; lang: Lang; expires_at: Date; used_at: Date | null }>(
		`SELECT k.id, k.email, k.lang, k.expires_at, k.used_at, ${CITY_COLUMNS}
		   FROM citizen_links k CROSS JOIN (SELECT * FROM city_settings ORDER BY id LIMIT 1) s
		  WHERE k.id = :id`,
		{ replacements: { id: linkId }, type: QueryTypes.SELECT }
	);
	if (!r) return null;
	return { id: r.id, email: r.email, lang: r.lang === 'en' ? 'en' : 'ja', expiresAt: new Date(r.expires_at), usedAt: r.used_at ? new Date(r.used_at) : null, city: city(r) };
}
