import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { loadCitySettings, loadLocationSettings, offeredPurposes } from './settings-read.ts';

/** What a citizen needs before picking a time (R-S17, R-C07, R-C08): purposes with precautions, the party limit. */
export async function locationPurposes(ctx: AppContext, locationId: number) {
	const loc = await ctx.db.models.Location.findByPk(locationId);
	if (!loc || !loc.citizenBookable) throw new AppError('not_found', '指定された交付場所が見つかりません。', { en: 'Location not found.' });
	const purposes = await offeredPurposes(ctx.db, await loadLocationSettings(ctx.db, locationId));
	const { maxPersonsPerBooking } = await loadCitySettings(ctx.db);
	return {
		locationId,
		maxPersons: maxPersonsPerBooking,
		purposes: purposes.map((p) => ({
			id: p.id,
			code: p.code,
			nameJa: p.nameJa,
			nameEn: p.nameEn,
			durationSlots: p.durationSlots,
			precautions: { ja: p.precautionsJa, en: p.precautionsEn }
		}))
	};
}
