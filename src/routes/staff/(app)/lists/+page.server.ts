import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { tokyoDateOf } from '$lib/domain/dates.ts';
import { isListKind, LIST_ENCODINGS, LIST_FORMATS, MAX_RANGE_DAYS } from '$lib/domain/lists/index.ts';
import { LIST_FLASH, readFlash } from '$lib/server/lists/flash.ts';

const pick = <T extends string>(v: string | null, allowed: readonly T[], fallback: T): T => ((allowed as readonly string[]).includes(v ?? '') ? (v as T) : fallback);

/** 帳票出力 (R-S10, R-S11, R-S13): choose a list; the download itself is ./download. Clerks and above. */
export const load: PageServerLoad = async ({ locals, url, cookies }) => {
	if (!hasRole(locals.principal!.role, 'clerk')) error(403, 'この画面は職員（窓口）以上の権限で利用できます。');
	const today = tokyoDateOf(appContext().now());
	const q = url.searchParams;
	const kind = q.get('kind');
	const flash = readFlash(cookies.get(LIST_FLASH));
	if (flash) cookies.delete(LIST_FLASH, { path: '/staff/lists' });
	return {
		maxDays: MAX_RANGE_DAYS,
		values: {
			kind: isListKind(kind) ? kind : 'reservations',
			locationId: /^\d+$/.test(q.get('locationId') ?? '') ? q.get('locationId')! : '',
			from: q.get('from') ?? today,
			to: q.get('to') ?? today,
			format: pick(q.get('format'), LIST_FORMATS, 'pdf'),
			encoding: pick(q.get('encoding'), LIST_ENCODINGS, 'utf-8')
		},
		flash
	};
};
