import { QueryTypes, type Transaction } from 'sequelize';
import type { Db } from '../../../../db/index.ts';
import { adjust } from './slot-rows.ts';

/**
 * Releases expired holds lying wholly within slots the caller has locked, so a booking never
 * waits for the expiry job to see places that are free again (R-C15). Holds reaching outside
 * the locked slots are left to the job: releasing them here would lock rows out of order.
 * Returns how many places were given back.
 */
export async function releaseExpiredWithin(db: Db, t: Transaction, lockedIds: readonly string[], now: Date): Promise<number> {
	if (lockedIds.length === 0) return 0;
	const released = await db.sequelize.query<{ slot_ids: string[]; party_size: number }>(
		`UPDATE holds SET released_at = :now, release_reason = 'expired'
		  WHERE released_at IS NULL AND expires_at <= :now
		    AND slot_ids && ARRAY[:ids]::bigint[] AND slot_ids <@ ARRAY[:ids]::bigint[]
		  RETURNING slot_ids, party_size`,
		{ replacements: { ids: [...lockedIds], now: now.toISOString() }, type: QueryTypes.SELECT, transaction: t }
	);
	let places = 0;
	for (const h of released) {
		await adjust(db, t, h.slot_ids.map(String), { held: -h.party_size });
		places += h.party_size;
	}
	return places;
}
