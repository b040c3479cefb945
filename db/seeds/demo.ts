import argon2 from 'argon2';
import type { Db } from '../index.ts';
import { DEMO_LOCATIONS, DEMO_STAFF, demoCards } from './demo-data.ts';
import { generateDemoSlots } from './demo-slots.ts';

export interface SeedOptions {
	/** Password for every demo staff user. */
	password: string;
	/** Slots are generated from this instant's Tokyo date for `days` days. */
	now?: Date;
	days?: number;
	cards?: number;
}

/**
 * The demo city: three locations, two weeks of slots, a few hundred cards in 通知書発送済, four staff users.
 * Idempotent: re-running adds what is missing and resets only the demo users' passwords (so the
 * password printed at start-up is the one that works).
 */
export async function seedDemo(db: Db, opts: SeedOptions): Promise<{ locations: number; slots: number; cards: number }> {
	const { Location, CardRecord, StaffUser, Slot } = db.models;
	const passwordHash = await argon2.hash(opts.password, { type: argon2.argon2id });
	return db.sequelize.transaction(async (transaction) => {
		for (const l of DEMO_LOCATIONS) {
			await Location.findOrCreate({ where: { code: l.code }, defaults: { ...l, citizenBookable: true }, transaction });
		}
		const locations = await Location.findAll({ order: [['sortOrder', 'ASC']], transaction });
		const byCode = new Map(locations.map((l) => [l.code, l]));
		const demoLocs = DEMO_LOCATIONS.map((l) => byCode.get(l.code)!);

		for (const s of DEMO_STAFF) {
			const [user, created] = await StaffUser.findOrCreate({
				where: { login: s.login },
				defaults: { ...s, passwordHash },
				transaction
			});
			if (!created) await user.update({ passwordHash, failedAttempts: 0, lockedUntil: null }, { transaction });
		}

		const cards = demoCards(opts.cards ?? 300);
		await CardRecord.bulkCreate(
			cards.map((c) => ({
				noticeId: c.noticeId,
				birthDate: c.birthDate,
				nameKanji: c.nameKanji,
				nameKana: c.nameKana,
				address: c.address,
				storageLocationId: demoLocs[c.storageIndex].id,
				boxPosition: c.boxPosition,
				status: 'notice_sent' as const
			})),
			{ ignoreDuplicates: true, transaction }
		);

		const slotRows = demoLocs.flatMap((loc, i) =>
			generateDemoSlots(opts.now ?? new Date(), opts.days ?? 14, i === 0 ? 4 : 2).map((s) => ({ ...s, locationId: loc.id }))
		);
		await Slot.bulkCreate(slotRows, { ignoreDuplicates: true, transaction });

		return {
			locations: demoLocs.length,
			slots: await Slot.count({ transaction }),
			cards: await CardRecord.count({ transaction })
		};
	});
}
