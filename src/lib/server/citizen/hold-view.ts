import { createHash } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { tokyoIso } from '../slots.ts';

export const HOLD_COOKIE = (holdId: string) => `mn_hold_${holdId}`;

export interface HoldView {
	holdId: string;
	locationId: number;
	locationNameJa: string;
	locationNameEn: string;
	purpose: { id: number; nameJa: string; nameEn: string; precautionsJa: string; precautionsEn: string };
	partySize: number;
	startsAt: string;
	endsAt: string;
	expiresAt: string;
}

interface Row {
	id: string;
	location_id: number;
	name_ja: string;
	name_en: string;
	purpose_id: number;
	p_name_ja: string;
	p_name_en: string;
	precautions_ja: string;
	precautions_en: string;
	party_size: number;
	expires_at: Date;
	released_at: Date | null;
	token_hash: string;
	starts_at: Date;
	ends_at: Date;
}

/**
 * R-C15 R-C08: what the citizen holding `holdId` sees while confirming. Only the holder (the token
 * from their cookie) may see it; a released or expired hold reads as gone.
 */
export async function viewHold(ctx: AppContext, holdId: string, token: string | undefined): Promise<HoldView> {
	const gone = new AppError('not_found', 'お取り置きの時間が過ぎたか、取り消されました。もう一度時間を選んでください。');
	if (!token) throw gone;
	const [h] = await ctx.db.sequelize.query<Row>(
		`SELECT h.id, h.location_id, l.name_ja, l.name_en, h.purpose_id, p.name_ja AS p_name_ja, p.name_en AS p_name_en,
		        p.precautions_ja, p.precautions_en, h.party_size, h.expires_at, h.released_at, h.token_hash,
		        (SELECT min(s.starts_at) FROM slots s WHERE s.id = ANY (h.slot_ids)) AS starts_at,
		        (SELECT max(s.ends_at) FROM slots s WHERE s.id = ANY (h.slot_ids)) AS ends_at
		   FROM holds h JOIN locations l ON l.id = h.location_id JOIN purposes p ON p.id = h.purpose_id
		  WHERE h.id = :id`,
		{ replacements: { id: holdId }, type: QueryTypes.SELECT }
	);
	const hash = createHash('sha256').update(token).digest('hex');
	if (!h || h.token_hash !== hash || h.released_at || new Date(h.expires_at) <= ctx.now()) throw gone;
	return {
		holdId: h.id,
		locationId: h.location_id,
		locationNameJa: h.name_ja,
		locationNameEn: h.name_en,
		purpose: { id: h.purpose_id, nameJa: h.p_name_ja, nameEn: h.p_name_en, precautionsJa: h.precautions_ja, precautionsEn: h.precautions_en },
		partySize: h.party_size,
		startsAt: tokyoIso(new Date(h.starts_at)),
		endsAt: tokyoIso(new Date(h.ends_at)),
		expiresAt: new Date(h.expires_at).toISOString()
	};
}
