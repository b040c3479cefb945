/**
 * The booking pages' first step (R-C03, R-C07, R-C04, R-S17): purpose, issuing location and who
 * is coming, verified before any place is held. What passed is kept on the session (card ids,
 * never what was typed), so the calendar offers only times that fit the party and an expired
 * hold or a reload loses nothing.
 */
import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { inTransaction } from '../tx.ts';
import { assertPartySize, choosePurpose } from '../booking/rules.ts';
import { loadBookingSettings } from '../scheduling/settings-read.ts';
import type { CitizenPrincipal } from './session.ts';
import { maskName } from '../../domain/citizen/person.ts';
import { assertNotLocked, failedAttempt, lockVerifiedCards, type CitizenPersonInput } from './verify.ts';

export interface Draft {
	purposeId: number;
	locationId: number;
	cardIds: string[];
	partySize: number;
}

export async function readDraft(ctx: AppContext, citizen: CitizenPrincipal): Promise<Draft | null> {
	const [row] = await ctx.db.sequelize.query<{ draft: Draft | null }>(`SELECT draft FROM citizen_sessions WHERE id = :id`, {
		replacements: { id: citizen.sessionId },
		type: QueryTypes.SELECT
	});
	return row?.draft ?? null;
}

export async function verifyDraft(
	ctx: AppContext,
	citizen: CitizenPrincipal,
	input: { purposeId: number; locationId: number; persons: CitizenPersonInput[] },
	ip: string | null
): Promise<Draft> {
	const client = { sessionId: citizen.sessionId, ip };
	await assertNotLocked(ctx, client, input.persons);
	const result = await inTransaction(ctx, async (t) => {
		const location = await ctx.db.models.Location.findByPk(input.locationId, { transaction: t });
		if (!location?.citizenBookable) {
			throw new AppError('unprocessable', '交付場所を選んでください。', { en: 'Please choose an issuing location.', errors: [{ field: 'locationId', message: '交付場所を選んでください。' }] });
		}
		const { purposes, city } = await loadBookingSettings(ctx.db, input.locationId, t);
		const purpose = choosePurpose(purposes, input.purposeId);
		assertPartySize(city.maxPersonsPerBooking, input.persons.length, 'persons');
		const cards = await lockVerifiedCards(ctx, t, input.persons);
		if (!cards) return null;
		const draft: Draft = { purposeId: purpose.id, locationId: input.locationId, cardIds: cards.map((c) => c.cardId), partySize: cards.length };
		await ctx.db.sequelize.query(`UPDATE citizen_sessions SET draft = CAST(:d AS jsonb) WHERE id = :id`, {
			replacements: { id: citizen.sessionId, d: JSON.stringify(draft) },
			transaction: t
		});
		return draft;
	});
	if (!result) throw await failedAttempt(ctx, client, input.persons);
	return result;
}

export async function clearDraft(ctx: AppContext, citizen: CitizenPrincipal): Promise<void> {
	await ctx.db.sequelize.query(`UPDATE citizen_sessions SET draft = NULL WHERE id = :id`, { replacements: { id: citizen.sessionId } });
}

/** R-C15: the persons already checked, masked as on the confirm page, so a citizen coming back sees them kept. */
export async function draftPersons(ctx: AppContext, draft: Draft): Promise<string[]> {
	if (!draft.cardIds.length) return [];
	const rows = await ctx.db.sequelize.query<{ id: string; name_kanji: string }>(`SELECT id, name_kanji FROM card_records WHERE id = ANY (ARRAY[:ids]::bigint[])`, {
		replacements: { ids: draft.cardIds },
		type: QueryTypes.SELECT
	});
	const byId = new Map(rows.map((r) => [String(r.id), r.name_kanji]));
	return draft.cardIds.map((id) => maskName(byId.get(String(id)) ?? ''));
}
