import { fail } from '@sveltejs/kit';
import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { saveSchedule, scheduleFor } from '$lib/server/scheduling/settings.ts';
import { attempt, int, text } from '$lib/server/web/forms.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { patternUsage, type HoursPattern } from '$lib/domain/schedule/index.ts';
import { guardActions } from '$lib/server/web/guard.ts';

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

function patternFrom(f: FormData, id: string): HoursPattern {
	const ls = text(f, 'lunchStart');
	const le = text(f, 'lunchEnd');
	return {
		id,
		nameJa: text(f, 'nameJa'),
		nameEn: text(f, 'nameEn') || text(f, 'nameJa'),
		open: text(f, 'open'),
		close: text(f, 'close'),
		lunch: ls || le ? { start: ls, end: le } : null,
		slotMinutes: int(f, 'slotMinutes'),
		capacity: int(f, 'capacity')
	};
}

/** R-S06: named hours patterns (通常・短縮・延長 and any the city adds), edited one at a time. */
export const actions: Actions = guardActions('admin', {
	save: async ({ request, params, locals, getClientAddress }) => {
		const ctx = appContext();
		const locationId = locationIdParam.parse(params.id);
		const f = await request.formData();
		const current = await scheduleFor(ctx, locals.principal, locationId);
		const patterns = [...current.rules.patterns];
		const key = text(f, 'index');
		const index = key === 'new' ? patterns.length : int(f, 'index');
		if (!(index >= 0 && index <= patterns.length)) return fail(404, { index: key, message: '指定されたパターンが見つかりません。', errors: {} });
		const id = index < patterns.length ? patterns[index].id : `p${Date.now().toString(36)}`;
		patterns[index] = patternFrom(f, id);
		const r = await attempt(() => saveSchedule(ctx, locals.principal, locationId, { patterns }, getClientAddress()), { index: key, values: patterns[index] });
		if (!r.ok) return r.failure;
		return { index: key, saved: true, report: r.value.report };
	},
	delete: async ({ request, params, locals, getClientAddress }) => {
		const ctx = appContext();
		const locationId = locationIdParam.parse(params.id);
		const f = await request.formData();
		const index = int(f, 'index');
		const current = await scheduleFor(ctx, locals.principal, locationId);
		const victim = current.rules.patterns[index];
		if (!victim) return fail(404, { index: String(index), message: '指定されたパターンが見つかりません。', errors: {} });
		const used = patternUsage(current.rules, victim.id);
		if (used.weekdays.length || used.dates.length) {
			const where = [used.weekdays.length ? `曜日（${used.weekdays.map((d) => WEEKDAYS[d]).join('・')}）` : '', used.dates.length ? `臨時開庁日（${used.dates.join('、')}）` : '']
				.filter(Boolean)
				.join('と');
			return fail(409, { index: String(index), message: `「${victim.nameJa}」は${where}で使われているため削除できません。先にそちらの設定を変更してください。`, errors: {} });
		}
		const patterns = current.rules.patterns.filter((_, i) => i !== index);
		const r = await attempt(() => saveSchedule(ctx, locals.principal, locationId, { patterns }, getClientAddress()), { index: String(index) });
		if (!r.ok) return r.failure;
		return { index: 'deleted', saved: true, report: r.value.report };
	}
});
