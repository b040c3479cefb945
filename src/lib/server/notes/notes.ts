import { QueryTypes } from 'sequelize';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { requireCardsServed } from '../auth/scope.ts';
import { tokyoIso } from '../../domain/dates.ts';
import type { NoteView } from '../reservations/detail.ts';

/**
 * R-S14 staff-only notes on a person (card record). Every edit is a new row: the current note is
 * the newest, the rest is its history. Only staff use cases read person_notes; no citizen
 * response, mail or public socket is built from it (tests/integration/counter-notes.test.ts).
 */
export const NOTE_MAX = 1000;

export interface PersonNotes {
	cardId: string;
	current: NoteView | null;
	history: (NoteView & { id: string })[];
}

async function assertCard(ctx: AppContext, cardId: string, t?: import('sequelize').Transaction) {
	const [c] = await ctx.db.sequelize.query<{ id: string }>(`SELECT id FROM card_records WHERE id = :id`, { replacements: { id: cardId }, type: QueryTypes.SELECT, transaction: t });
	if (!c) throw new AppError('not_found', '指定された人（カード）が見つかりません。');
}

export async function personNotes(ctx: AppContext, principal: Principal | null, cardId: string): Promise<PersonNotes> {
	const p = requireRole(principal, 'viewer');
	await assertCard(ctx, cardId);
	await requireCardsServed(ctx, p, [cardId]);
	const rows = await ctx.db.sequelize.query<{ id: string; body: string; author: string; created_at: Date }>(
		`SELECT id, body, author, created_at FROM person_notes WHERE card_record_id = :id ORDER BY id DESC`,
		{ replacements: { id: cardId }, type: QueryTypes.SELECT }
	);
	const history = rows.map((r) => ({ id: String(r.id), body: r.body, author: r.author, at: tokyoIso(new Date(r.created_at)) }));
	const top = history[0];
	return { cardId, current: top && top.body ? { body: top.body, author: top.author, at: top.at } : null, history };
}

/** Sets a person's note (an empty text clears it). Unchanged text writes nothing. Audited without the text. */
export async function setPersonNote(ctx: AppContext, principal: Principal | null, input: { cardId: string; body: string; ip?: string | null }): Promise<PersonNotes> {
	const clerk = requireRole(principal, 'clerk');
	const body = input.body.replace(/\r\n/g, '\n').trim();
	if (body.length > NOTE_MAX) throw new AppError('bad_request', `メモは${NOTE_MAX}文字までです。`, { errors: [{ field: 'body', message: `${NOTE_MAX}文字までです。` }] });
	await ctx.db.sequelize.transaction(async (t) => {
		// Lock the card so two counters editing at once write one after the other, each seeing the last.
		const [c] = await ctx.db.sequelize.query<{ id: string }>(`SELECT id FROM card_records WHERE id = :id FOR UPDATE`, { replacements: { id: input.cardId }, type: QueryTypes.SELECT, transaction: t });
		if (!c) throw new AppError('not_found', '指定された人（カード）が見つかりません。');
		await requireCardsServed(ctx, clerk, [input.cardId], t);
		const [last] = await ctx.db.sequelize.query<{ body: string }>(`SELECT body FROM person_notes WHERE card_record_id = :id ORDER BY id DESC LIMIT 1`, {
			replacements: { id: input.cardId },
			type: QueryTypes.SELECT,
			transaction: t
		});
		if ((last?.body ?? '') === body) return;
		const [row] = await ctx.db.sequelize.query<{ id: string }>(
			`INSERT INTO person_notes (card_record_id, body, author, created_at) VALUES (:id, :body, :author, :at) RETURNING id`,
			{ replacements: { id: input.cardId, body, author: clerk.login, at: ctx.now().toISOString() }, type: QueryTypes.SELECT, transaction: t }
		);
		await audit(
			ctx,
			{ actorType: 'staff', actorId: clerk.login, action: body ? 'person_note.saved' : 'person_note.cleared', targetType: 'card', targetId: input.cardId, detail: { noteId: String(row.id), length: body.length }, ip: input.ip },
			t
		);
	});
	return personNotes(ctx, principal, input.cardId);
}
