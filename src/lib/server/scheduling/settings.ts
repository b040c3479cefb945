/**
 * Admin settings for scheduling (R-S06, R-S07, R-S17, R-C07, R-C15): each save is validated
 * with the domain validators (Japanese messages, nothing written on any error), audited, and
 * followed in the same transaction by slot regeneration; screens hear of it after commit.
 */
import type { AppContext } from '../context.ts';
import { AppError, type FieldError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';
import { inTransaction } from '../tx.ts';
import { loadLocationSettings, type LocationSettings } from './settings-read.ts';
import { regenerateInTransaction, type RegenerationReport } from './regenerate.ts';
import {
	DEFAULT_BOOKING_WINDOW,
	DEFAULT_PATTERNS,
	DEFAULT_WEEKLY_PLAN,
	validateRules,
	validateWindow,
	type BookingWindow,
	type DateException,
	type FieldError as DomainFieldError,
	type HoursPattern,
	type TimeRangeException,
	type WeeklyPlan
} from '../../domain/schedule/index.ts';

export interface SchedulePatch {
	patterns?: HoursPattern[];
	weekly?: WeeklyPlan;
	dateExceptions?: DateException[];
	rangeExceptions?: TimeRangeException[];
	window?: BookingWindow;
	purposeIds?: number[] | null;
}

/** 'patterns.close' with index 2 → 'patterns.2.close': one path a form or client can place. */
export function toFieldErrors(list: readonly DomainFieldError[], prefix = ''): FieldError[] {
	return list.map((e) => {
		const [head, ...rest] = e.field.split('.');
		const path = e.index === undefined ? e.field : [head, String(e.index), ...rest].join('.');
		return { field: prefix ? `${prefix}.${path}` : path, message: e.message };
	});
}

export function invalid(errors: FieldError[]): AppError {
	return new AppError('unprocessable', `入力内容に誤りがあります（${errors.length}件）。各項目のメッセージをご確認ください。`, { errors });
}

/** Stored settings, or the defaults a new location starts with. */
export async function scheduleFor(ctx: AppContext, principal: Principal | null, locationId: number): Promise<LocationSettings & { stored: boolean }> {
	requireRole(principal, 'admin');
	await requireLocation(ctx, locationId);
	const s = await loadLocationSettings(ctx.db, locationId);
	if (s) return { ...s, stored: true };
	return {
		locationId,
		rules: { patterns: [...DEFAULT_PATTERNS], weekly: DEFAULT_WEEKLY_PLAN, dateExceptions: [], rangeExceptions: [] },
		window: DEFAULT_BOOKING_WINDOW,
		purposeIds: null,
		stored: false
	};
}

async function requireLocation(ctx: AppContext, locationId: number) {
	const loc = await ctx.db.models.Location.findByPk(locationId);
	if (!loc) throw new AppError('not_found', '指定された交付場所が見つかりません。');
	return loc;
}

/**
 * Saves part of a location's schedule settings. The whole result is validated together, so a
 * weekly plan naming a deleted pattern, or overlapping ranges, are refused before anything is written.
 */
export async function saveSchedule(
	ctx: AppContext,
	principal: Principal | null,
	locationId: number,
	patch: SchedulePatch,
	ip?: string | null
): Promise<{ settings: LocationSettings; report: RegenerationReport }> {
	const admin = requireRole(principal, 'admin');
	const current = await scheduleFor(ctx, principal, locationId);
	const next: LocationSettings = {
		locationId,
		rules: {
			patterns: patch.patterns ?? current.rules.patterns,
			weekly: patch.weekly ?? current.rules.weekly,
			dateExceptions: patch.dateExceptions ?? current.rules.dateExceptions,
			rangeExceptions: patch.rangeExceptions ?? current.rules.rangeExceptions
		},
		window: patch.window ?? current.window,
		purposeIds: patch.purposeIds === undefined ? current.purposeIds : patch.purposeIds
	};
	const errors = [...toFieldErrors(validateRules(next.rules)), ...toFieldErrors(validateWindow(next.window), 'window')];
	const patternIds = new Set<string>();
	next.rules.patterns.forEach((p, i) => {
		if (patternIds.has(p.id)) errors.push({ field: `patterns.${i}.id`, message: '同じIDのパターンがあります' });
		patternIds.add(p.id);
	});
	if (next.purposeIds) {
		const known = new Set((await ctx.db.models.Purpose.findAll()).map((p) => p.id));
		if (next.purposeIds.some((id) => !known.has(id))) errors.push({ field: 'purposeIds', message: '存在しない用件です' });
		if (next.purposeIds.length === 0) errors.push({ field: 'purposeIds', message: '用件を1つ以上選んでください' });
	}
	if (errors.length) throw invalid(errors);

	const report = await inTransaction(ctx, async (t) => {
		const row = {
			locationId,
			patterns: [...next.rules.patterns],
			weekly: next.rules.weekly,
			dateExceptions: [...next.rules.dateExceptions],
			rangeExceptions: [...next.rules.rangeExceptions],
			bookingWindow: next.window,
			purposeIds: next.purposeIds,
			updatedBy: admin.login
		};
		await ctx.db.models.LocationSchedule.upsert(row, { transaction: t });
		const report = await regenerateInTransaction(ctx.db, t, locationId, ctx.now());
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: admin.login,
				action: 'settings.schedule_changed',
				targetType: 'location',
				targetId: locationId,
				detail: {
					parts: Object.keys(patch),
					slots: { created: report.created, updated: report.updated, removed: report.removed, orphaned: report.orphaned.length }
				},
				ip
			},
			t
		);
		return report;
	});
	if (report.dates.length) ctx.events.slotsChanged(locationId, report.dates);
	return { settings: next, report };
}

export interface LocationInput {
	code: string;
	nameJa: string;
	nameEn: string;
	addressJa: string;
	citizenBookable: boolean;
	sortOrder: number;
}

const CODE_RE = /^[a-z0-9_-]{1,32}$/;

export function validateLocation(l: LocationInput): FieldError[] {
	const errors: FieldError[] = [];
	if (!CODE_RE.test(l.code)) errors.push({ field: 'code', message: 'コードは半角英小文字・数字・ハイフン・アンダースコア（32文字以内）で入力してください' });
	if (!l.nameJa.trim()) errors.push({ field: 'nameJa', message: '入力してください' });
	if (!l.nameEn.trim()) errors.push({ field: 'nameEn', message: '入力してください' });
	// R-O04: the columns' own limits, checked before the database would refuse them with a 500
	if (l.nameJa.length > 100) errors.push({ field: 'nameJa', message: '100文字以内で入力してください' });
	if (l.nameEn.length > 100) errors.push({ field: 'nameEn', message: '100文字以内で入力してください' });
	if (l.addressJa.length > 200) errors.push({ field: 'addressJa', message: '200文字以内で入力してください' });
	if (!Number.isInteger(l.sortOrder) || l.sortOrder < 0 || l.sortOrder > 9999) errors.push({ field: 'sortOrder', message: '0〜9999の整数で入力してください' });
	return errors;
}

/** A new 交付場所 starts with the default patterns, weekly plan and window, and its slots. */
export async function createLocation(ctx: AppContext, principal: Principal | null, input: LocationInput, ip?: string | null) {
	const admin = requireRole(principal, 'admin');
	const errors = validateLocation(input);
	if (errors.length) throw invalid(errors);
	if (await ctx.db.models.Location.findOne({ where: { code: input.code } })) throw invalid([{ field: 'code', message: 'このコードは既に使われています' }]);
	const { location, report } = await inTransaction(ctx, async (t) => {
		const location = await ctx.db.models.Location.create(input, { transaction: t });
		await ctx.db.models.LocationSchedule.create(
			{
				locationId: location.id,
				patterns: [...DEFAULT_PATTERNS],
				weekly: DEFAULT_WEEKLY_PLAN,
				bookingWindow: DEFAULT_BOOKING_WINDOW,
				updatedBy: admin.login
			},
			{ transaction: t }
		);
		const report = await regenerateInTransaction(ctx.db, t, location.id, ctx.now());
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'settings.location_created', targetType: 'location', targetId: location.id, ip }, t);
		return { location, report };
	});
	if (report.dates.length) ctx.events.slotsChanged(location.id, report.dates);
	return { id: location.id, report };
}

export async function updateLocation(ctx: AppContext, principal: Principal | null, id: number, input: LocationInput, ip?: string | null) {
	const admin = requireRole(principal, 'admin');
	const errors = validateLocation(input);
	if (errors.length) throw invalid(errors);
	const loc = await requireLocation(ctx, id);
	const clash = await ctx.db.models.Location.findOne({ where: { code: input.code } });
	if (clash && clash.id !== id) throw invalid([{ field: 'code', message: 'このコードは既に使われています' }]);
	await inTransaction(ctx, async (t) => {
		await loc.update(input, { transaction: t });
		await audit(ctx, { actorType: 'staff', actorId: admin.login, action: 'settings.location_changed', targetType: 'location', targetId: id, detail: { fields: Object.keys(input) }, ip }, t);
	});
}
