/**
 * 用件 (R-S17) and city-wide booking settings (R-C07 persons per booking, R-C15 hold minutes),
 * for admins. Precautions (R-C08) are edited here.
 */
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { audit } from '../audit.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { validatePurpose } from '../../domain/schedule/index.ts';
import { invalid, toFieldErrors } from './settings.ts';
import { loadCitySettings, type CityRules } from './settings-read.ts';

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
	const rows = await ctx.db.models.Purpose.findAll({ order: [['sortOrder', 'ASC'], ['id', 'ASC']] });
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

export async function citySettings(ctx: AppContext): Promise<CityRules> {
	return loadCitySettings(ctx.db);
}

export async function saveCitySettings(ctx: AppContext, principal: Principal | null, input: CityRules, ip?: string | null): Promise<CityRules> {
	const admin = requireRole(principal, 'admin');
	const errors = [];
	if (!Number.isInteger(input.maxPersonsPerBooking) || input.maxPersonsPerBooking < 1 || input.maxPersonsPerBooking > 5) {
		errors.push({ field: 'maxPersonsPerBooking', message: '1〜5の整数で入力してください' });
	}
	if (!Number.isInteger(input.holdMinutes) || input.holdMinutes < 1 || input.holdMinutes > 60) {
		errors.push({ field: 'holdMinutes', message: '1〜60の整数で入力してください' });
	}
	if (errors.length) throw invalid(errors);
	await ctx.db.sequelize.transaction(async (t) => {
		await ctx.db.models.CitySettings.update({ ...input, updatedAt: ctx.now() }, { where: { id: 1 }, transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'settings.city_changed', detail: { ...input }, ip }, t);
	});
	return input;
}
