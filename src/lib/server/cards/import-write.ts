/**
 * The write half of a card import: one transaction, set-based. Rows go into a temporary table
 * in batches (one statement of arrays per batch), then three statements do the work: history
 * rows + updates for cards whose fields differ, inserts for new cards, the audit row.
 * Imports take an advisory lock so two at once cannot race on the same new card.
 */
import { QueryTypes, type Transaction } from 'sequelize';
import type { AppContext } from '../context.ts';
import { audit } from '../audit/write.ts';
import type { CardRow, OptionalField } from '../../domain/cards/import-row.ts';
import type { ValidatedFile } from './import.ts';

const IMPORT_LOCK = 727_101;
const BATCH = 5000;

/** The imported fields: column, the name kept in card_record_changes, and whether a file may leave it out. */
const FIELDS: { col: string; key: keyof CardRow; optional?: OptionalField }[] = [
	{ col: 'name_kanji', key: 'nameKanji' },
	{ col: 'name_kana', key: 'nameKana' },
	{ col: 'gender', key: 'gender', optional: 'gender' },
	{ col: 'address', key: 'address', optional: 'address' },
	{ col: 'storage_location_id', key: 'storageLocationId' },
	{ col: 'box_position', key: 'boxPosition', optional: 'boxPosition' },
	{ col: 'notice_sent_on', key: 'noticeSentOn', optional: 'noticeSentOn' }
];

async function stage(ctx: AppContext, t: Transaction, rows: readonly CardRow[]): Promise<void> {
	await ctx.db.sequelize.query(
		`CREATE TEMP TABLE card_import (
			notice_id varchar(20) NOT NULL, birth_date date NOT NULL, name_kanji varchar(100) NOT NULL, name_kana varchar(100) NOT NULL,
			gender smallint, address varchar(200) NOT NULL, storage_location_id integer NOT NULL, box_position varchar(40) NOT NULL,
			notice_sent_on date) ON COMMIT DROP`,
		{ transaction: t }
	);
	for (let i = 0; i < rows.length; i += BATCH) {
		const b = rows.slice(i, i + BATCH);
		await ctx.db.sequelize.query(
			`INSERT INTO card_import SELECT * FROM unnest($1::varchar[], $2::date[], $3::varchar[], $4::varchar[], $5::smallint[], $6::varchar[], $7::int[], $8::varchar[], $9::date[])`,
			{
				bind: [
					b.map((r) => r.noticeId),
					b.map((r) => r.birthDate),
					b.map((r) => r.nameKanji),
					b.map((r) => r.nameKana),
					b.map((r) => r.gender),
					b.map((r) => r.address),
					b.map((r) => r.storageLocationId),
					b.map((r) => r.boxPosition),
					b.map((r) => r.noticeSentOn)
				],
				transaction: t
			}
		);
	}
	await ctx.db.sequelize.query(`CREATE INDEX ON card_import (notice_id, birth_date); ANALYZE card_import`, { transaction: t });
}

export async function writeImport(ctx: AppContext, file: ValidatedFile, actor: { login: string; ip: string | null }) {
	return ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.sequelize.query(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK})`, { transaction: t });
		await stage(ctx, t, file.rows);
		// The value a card should have: the file's, or the card's own when the file has no such column.
		const eff = (f: (typeof FIELDS)[number]) => (f.optional && !file.present[f.optional] ? `c.${f.col}` : `s.${f.col}`);
		const differs = FIELDS.map((f) => `c.${f.col} IS DISTINCT FROM ${eff(f)}`).join(' OR ');
		const json = (side: 'c' | 'n') =>
			FIELDS.map((f) => `CASE WHEN c.${f.col} IS DISTINCT FROM ${eff(f)} THEN jsonb_build_object('${f.key}', ${side === 'c' ? `c.${f.col}` : eff(f)}) ELSE '{}'::jsonb END`).join(' || ');
		const [{ updated }] = await ctx.db.sequelize.query<{ updated: number }>(
			`WITH diff AS (
			   SELECT c.id, ${FIELDS.map((f) => `${eff(f)} AS ${f.col}`).join(', ')}, ${json('c')} AS old_values, ${json('n')} AS new_values
			     FROM card_import s JOIN card_records c ON c.notice_id = s.notice_id AND c.birth_date = s.birth_date
			    WHERE ${differs}
			    FOR UPDATE OF c),
			 h AS (INSERT INTO card_record_changes (card_record_id, source, actor_id, old_values, new_values)
			       SELECT id, 'import', :login, old_values, new_values FROM diff),
			 u AS (UPDATE card_records c SET ${FIELDS.map((f) => `${f.col} = d.${f.col}`).join(', ')}, updated_at = now()
			         FROM diff d WHERE c.id = d.id RETURNING 1)
			 SELECT count(*)::int AS updated FROM u`,
			{ replacements: { login: actor.login }, type: QueryTypes.SELECT, transaction: t }
		);
		const [{ created }] = await ctx.db.sequelize.query<{ created: number }>(
			`WITH i AS (
			   INSERT INTO card_records (notice_id, birth_date, ${FIELDS.map((f) => f.col).join(', ')})
			   SELECT s.notice_id, s.birth_date, ${FIELDS.map((f) => `s.${f.col}`).join(', ')} FROM card_import s
			    WHERE NOT EXISTS (SELECT 1 FROM card_records c WHERE c.notice_id = s.notice_id AND c.birth_date = s.birth_date)
			   RETURNING 1)
			 SELECT count(*)::int AS created FROM i`,
			{ type: QueryTypes.SELECT, transaction: t }
		);
		const unchanged = file.rows.length - created - updated;
		await audit(
			ctx,
			{ actorType: 'staff', actorId: actor.login, action: 'cards.imported', targetType: 'card_import', detail: { rows: file.rows.length, created, updated, unchanged, encoding: file.encoding }, ip: actor.ip },
			t
		);
		return { created, updated, unchanged };
	});
}
