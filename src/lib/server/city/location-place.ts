/**
 * R-S18 / R-C16: a location's address and access directions (ja and en, the locations columns),
 * set by admins on /staff/settings/locations/[id] or `GET|PUT /api/v1/staff/settings/locations/{id}/address`.
 * Audited with old → new values (a public address, not personal data). Mails and the completion
 * page read the columns directly, so a change applies at once.
 */
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError, type FieldError } from '../errors.ts';
import { audit } from '../audit/write.ts';
import { requireRole, type Principal } from '../auth/session.ts';

export interface LocationPlace {
	locationId: number;
	address: { ja: string; en: string };
	access: { ja: string; en: string };
}

const MAX = { address: 200, access: 300 } as const;
const pair = (max: number) => z.strictObject({ ja: z.string().trim().max(max).optional(), en: z.string().trim().max(max).optional() });
export const locationPlaceBody = z.strictObject({ address: pair(MAX.address).optional(), access: pair(MAX.access).optional() });
export type LocationPlacePatch = z.infer<typeof locationPlaceBody>;

function parse(body: unknown, lang: 'ja' | 'en'): LocationPlacePatch {
	const r = locationPlaceBody.safeParse(body);
	if (r.success) return r.data;
	const en = lang === 'en';
	const errors: FieldError[] = r.error.issues.flatMap((i) => {
		const path = i.path.map(String);
		if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...path, k].join('.'), message: en ? 'Unknown field.' : 'この項目は設定できません（不明な項目です）。' }));
		const field = path.join('.') || '(body)';
		const max = MAX[path[0] as keyof typeof MAX];
		if (i.code === 'too_big' && max) return [{ field, message: en ? `At most ${max} characters.` : `${max}文字以内で入力してください` }];
		return [{ field, message: en ? 'Give the text as {"ja": "…", "en": "…"}.' : '{"ja": "…", "en": "…"} の形の文字列で指定してください。' }];
	});
	throw new AppError('bad_request', `入力内容に誤りがあります（${errors.length}件）：${errors.map((e) => e.field).join('、')}`, {
		en: `Invalid address or access (${errors.length}): ${errors.map((e) => e.field).join(', ')}`,
		errors
	});
}

async function find(ctx: AppContext, id: number) {
	const loc = await ctx.db.models.Location.findByPk(id);
	if (!loc) throw new AppError('not_found', '指定された交付場所が見つかりません。', { en: 'No such location.' });
	return loc;
}

const view = (l: { id: number; addressJa: string; addressEn: string; accessJa: string; accessEn: string }): LocationPlace => ({
	locationId: l.id,
	address: { ja: l.addressJa, en: l.addressEn },
	access: { ja: l.accessJa, en: l.accessEn }
});

export async function getLocationPlace(ctx: AppContext, principal: Principal | null, id: number): Promise<LocationPlace> {
	requireRole(principal, 'admin');
	return view(await find(ctx, id));
}

/** Saves the texts given (any subset) and answers the whole new address and access. */
export async function updateLocationPlace(
	ctx: AppContext,
	principal: Principal | null,
	id: number,
	body: unknown,
	opts: { ip?: string | null; lang?: 'ja' | 'en' } = {}
): Promise<LocationPlace> {
	const admin = requireRole(principal, 'admin');
	const patch = parse(body, opts.lang ?? 'ja');
	await find(ctx, id);
	return ctx.db.sequelize.transaction(async (t) => {
		const loc = (await ctx.db.models.Location.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE }))!;
		const before = view(loc);
		const next: LocationPlace = {
			locationId: id,
			address: { ja: patch.address?.ja ?? before.address.ja, en: patch.address?.en ?? before.address.en },
			access: { ja: patch.access?.ja ?? before.access.ja, en: patch.access?.en ?? before.access.en }
		};
		const changed = (['address', 'access'] as const).flatMap((k) => (['ja', 'en'] as const).filter((l) => before[k][l] !== next[k][l]).map((l) => ({ k, l })));
		if (!changed.length) return before;
		await loc.update({ addressJa: next.address.ja, addressEn: next.address.en, accessJa: next.access.ja, accessEn: next.access.en }, { transaction: t });
		await audit(
			ctx,
			{
				actorType: 'staff',
				actorId: admin.login,
				action: 'settings.location_place_changed',
				targetType: 'location',
				targetId: id,
				detail: {
					fields: changed.map((c) => `${c.k}.${c.l}`),
					from: Object.fromEntries(changed.map((c) => [`${c.k}.${c.l}`, before[c.k][c.l]])),
					to: Object.fromEntries(changed.map((c) => [`${c.k}.${c.l}`, next[c.k][c.l]]))
				},
				ip: opts.ip
			},
			t
		);
		return next;
	});
}
