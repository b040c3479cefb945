import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { tokyoIso } from '../../domain/dates.ts';
import { maskName } from '../../domain/citizen/person.ts';
import type { CitizenPrincipal } from './session.ts';
import { MAX_EXTENSIONS } from '../booking/holds.ts';
import { manageToken, manageUrl } from './tokens.ts';

export interface HoldView {
	holdId: string;
	locationId: number;
	location: { nameJa: string; nameEn: string; addressJa: string; addressEn: string };
	purpose: { id: number; nameJa: string; nameEn: string; precautionsJa: string; precautionsEn: string };
	partySize: number;
	/** masked names (R-C09) */
	persons: string[];
	startsAt: string;
	endsAt: string;
	expiresAt: string;
	extensionsLeft: number;
}

interface Row {
	id: string;
	location_id: number;
	name_ja: string;
	name_en: string;
	address_ja: string;
	address_en: string;
	purpose_id: number;
	p_name_ja: string;
	p_name_en: string;
	precautions_ja: string;
	precautions_en: string;
	party_size: number;
	card_ids: string[];
	expires_at: Date;
	released_at: Date | null;
	citizen_session_id: string | null;
	extensions: number;
	starts_at: Date;
	ends_at: Date;
}

export const HOLD_GONE = {
	ja: 'お取り置きの時間が過ぎたか、取り消されました。入力内容は保存されています。もう一度時間を選んでください。',
	en: 'The time held for you has expired or was given back. What you entered is kept; please choose a time again.'
};

/**
 * R-C15 R-C08: what the citizen holding `holdId` sees while confirming. Only the session that
 * holds it may see it; a released or expired hold reads as gone.
 */
export async function viewHold(ctx: AppContext, citizen: CitizenPrincipal, holdId: string): Promise<HoldView> {
	const gone = new AppError('not_found', HOLD_GONE.ja, { en: HOLD_GONE.en });
	const [h] = await ctx.db.sequelize.query<Row>(
		`SELECT h.id, h.location_id, l.name_ja, l.name_en, l.address_ja, l.address_en, h.purpose_id, p.name_ja AS p_name_ja, p.name_en AS p_name_en,
		        p.precautions_ja, p.precautions_en, h.party_size, h.card_ids, h.expires_at, h.released_at, h.citizen_session_id, h.extensions,
		        (SELECT min(s.starts_at) FROM slots s WHERE s.id = ANY (h.slot_ids)) AS starts_at,
		        (SELECT max(s.ends_at) FROM slots s WHERE s.id = ANY (h.slot_ids)) AS ends_at
		   FROM holds h JOIN locations l ON l.id = h.location_id JOIN purposes p ON p.id = h.purpose_id
		  WHERE h.id = :id`,
		{ replacements: { id: holdId }, type: QueryTypes.SELECT }
	);
	if (!h || h.citizen_session_id !== citizen.sessionId || h.released_at || new Date(h.expires_at) <= ctx.now()) throw gone;
	const names = await ctx.db.sequelize.query<{ id: string; name_kanji: string }>(`SELECT id, name_kanji FROM card_records WHERE id = ANY (ARRAY[:ids]::bigint[])`, {
		replacements: { ids: h.card_ids.length ? h.card_ids : [0] },
		type: QueryTypes.SELECT
	});
	const byId = new Map(names.map((n) => [String(n.id), n.name_kanji]));
	return {
		holdId: h.id,
		locationId: h.location_id,
		location: { nameJa: h.name_ja, nameEn: h.name_en, addressJa: h.address_ja, addressEn: h.address_en },
		purpose: { id: h.purpose_id, nameJa: h.p_name_ja, nameEn: h.p_name_en, precautionsJa: h.precautions_ja, precautionsEn: h.precautions_en },
		partySize: h.party_size,
		persons: h.card_ids.map((id) => maskName(byId.get(String(id)) ?? '')),
		startsAt: tokyoIso(new Date(h.starts_at)),
		endsAt: tokyoIso(new Date(h.ends_at)),
		expiresAt: new Date(h.expires_at).toISOString(),
		extensionsLeft: Math.max(0, MAX_EXTENSIONS - h.extensions)
	};
}

/**
 * R-C09 R-C15: what became of a hold that is no longer live, for the session that held it. A
 * confirmed hold names its booking (Back after confirming shows the booking, not a refusal);
 * an expired or given-back one names its day, so the citizen chooses again with the persons
 * already checked (the draft stays on the session).
 */
export async function holdOutcome(
	ctx: AppContext,
	citizen: CitizenPrincipal,
	holdId: string
): Promise<{ kind: 'booked'; managePath: string; bookingNumber: string } | { kind: 'gone'; dayPath: string } | null> {
	const [h] = await ctx.db.sequelize.query<{ location_id: number; date: string | null; public_ref: string | null; token_version: number | null; status: string | null; booking_number: string | null }>(
		`SELECT h.location_id, (SELECT min(s.date)::text FROM slots s WHERE s.id = ANY (h.slot_ids)) AS date, r.public_ref, r.token_version, r.status, r.booking_number
		   FROM holds h LEFT JOIN reservations r ON r.id = h.reservation_id
		  WHERE h.id = :id AND h.citizen_session_id = :session`,
		{ replacements: { id: holdId, session: citizen.sessionId }, type: QueryTypes.SELECT }
	);
	if (!h) return null;
	if (h.public_ref && h.token_version !== null && h.status !== 'cancelled') {
		return {
			kind: 'booked',
			managePath: new URL(manageUrl(ctx.publicOrigin, manageToken(ctx.jwtSecret, h.public_ref, h.token_version))).pathname,
			bookingNumber: h.booking_number ?? ''
		};
	}
	return { kind: 'gone', dayPath: h.date ? `/locations/${h.location_id}/day/${h.date}` : `/locations/${h.location_id}` };
}
