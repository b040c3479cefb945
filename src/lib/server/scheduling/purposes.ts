/**
 * 用件 (R-S17) and city-wide booking settings (R-C07 persons per booking, R-C15 hold minutes),
 * for admins. Precautions (R-C08) are edited here.
 */
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { validatePurpose } from '../../domain/schedule/index.ts';
import { invalid, toFieldErrors } from './settings.ts';
import { loadCitySettings, loadLocationSettings, offeredPurposes, type CityRules, type PurposeRow } from './settings-read.ts';
import { LISTING_ORDER } from './locations.ts';
import { updateCitySettings } from '../city/settings.ts';

export interface PurposeInput {
	code: string;
	nameJa: string;
	nameEn: string;
	durationSlots: number;
	precautionsJa: string;
	precautionsEn: string;
	active: boolean;
	sortOrder: number;
}

export async function listPurposes(ctx: AppContext) {
	const rows = await ctx.db.models.Purpose.findAll({ order: LISTING_ORDER });
	return rows.map((p) => ({
		id: p.id,
		code: p.code,
		nameJa: p.nameJa,
		nameEn: p.nameEn,
		durationSlots: p.durationSlots,
		precautionsJa: p.precautionsJa,
		precautionsEn: p.precautionsEn,
		active: p.active,
		sortOrder: p.sortOrder
	}));
}

/** One purpose's names, or null when there is none with this id. */
export async function getPurpose(ctx: Pick<AppContext, 'db'>, id: number): Promise<{ id: number; nameJa: string; nameEn: string } | null> {
	const p = await ctx.db.models.Purpose.findByPk(id);
	return p ? { id: p.id, nameJa: p.nameJa, nameEn: p.nameEn } : null;
}

/** The purposes one location offers now (its settings' list, active ones), in the listing order. */
export async function purposesOfferedAt(ctx: Pick<AppContext, 'db'>, locationId: number): Promise<PurposeRow[]> {
	return offeredPurposes(ctx.db, await loadLocationSettings(ctx.db, locationId));
}

function check(input: PurposeInput) {
	const errors = toFieldErrors(validatePurpose({ ...input, id: '' }));
	if (input.durationSlots > 12) errors.push({ field: 'durationSlots', message: '必要な枠数は 12 以下にしてください' });
	if (errors.length) throw invalid(errors);
}

export async function savePurpose(ctx: AppContext, principal: Principal | null, id: number | null, input: PurposeInput, ip?: string | null): Promise<number> {
	const admin = requireRole(principal, 'admin');
	check(input);
	const clash = await ctx.db.models.Purpose.findOne({ where: { code: input.code } });
	if (clash && clash.id !== id) throw invalid([{ field: 'code', message: 'このコードは既に使われています' }]);
	return ctx.db.sequelize.transaction(async (t) => {
		let purposeId: number;
		if (id === null) {
			purposeId = (await ctx.db.models.Purpose.create(input, { transaction: t })).id;
		} else {
			const p = await ctx.db.models.Purpose.findByPk(id, { transaction: t });
			if (!p) throw new AppError('not_found', '指定された用件が見つかりません。');
			await p.update(input, { transaction: t });
			purposeId = id;
		}
		await audit(
			ctx,
			{ actorType: 'staff', actorId: admin.login, action: id === null ? 'settings.purpose_created' : 'settings.purpose_changed', targetType: 'purpose', targetId: purposeId, ip },
			t
		);
		return purposeId;
	});
}

/** The two booking rules only; the city's settings as a whole are saved by city/settings.ts (R-S18). */
export async function saveCitySettings(ctx: AppContext, principal: Principal | null, input: CityRules, ip?: string | null): Promise<CityRules> {
	const next = await updateCitySettings(ctx, principal, input, { ip });
	return { maxPersonsPerBooking: next.maxPersonsPerBooking, holdMinutes: next.holdMinutes };
}
