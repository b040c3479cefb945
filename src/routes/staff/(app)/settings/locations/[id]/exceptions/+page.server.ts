import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import { saveSchedule, scheduleFor } from '$lib/server/scheduling/settings.ts';
import { attempt, int, text } from '$lib/server/web/forms.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import type { DateException, TimeRangeException } from '$lib/domain/schedule/index.ts';
import type { Principal } from '$lib/server/auth/session.ts';
import { guardActions } from '$lib/server/web/guard.ts';

async function save(locals: { principal: Principal | null }, id: string, ip: string, form: string, patch: { dateExceptions?: DateException[]; rangeExceptions?: TimeRangeException[] }, values?: unknown) {
	const r = await attempt(() => saveSchedule(appContext(), locals.principal, locationIdParam.parse(id), patch, ip), { form, values });
	if (!r.ok) return r.failure;
	return { form, saved: true, report: r.value.report };
}

/** R-S06: 臨時休業 and 臨時開庁日 by date, and capacities per time range of a day. */
export const actions: Actions = guardActions('admin', {
	addDate: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const current = await scheduleFor(appContext(), locals.principal, locationIdParam.parse(params.id));
		const kind = text(f, 'kind');
		const note = text(f, 'note') || undefined;
		const e: DateException = kind === 'open' ? { date: text(f, 'date'), kind: 'open', patternId: text(f, 'patternId'), note } : { date: text(f, 'date'), kind: 'closed', note };
		const list = [...current.rules.dateExceptions, e].sort((a, b) => (a.date < b.date ? -1 : 1));
		// errors point at the new entry's index in the sorted list
		return save(locals, params.id, getClientAddress(), `date:${list.indexOf(e)}`, { dateExceptions: list }, e);
	},
	deleteDate: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const current = await scheduleFor(appContext(), locals.principal, locationIdParam.parse(params.id));
		const index = int(f, 'index');
		return save(locals, params.id, getClientAddress(), 'date:deleted', { dateExceptions: current.rules.dateExceptions.filter((_, i) => i !== index) });
	},
	addRange: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const current = await scheduleFor(appContext(), locals.principal, locationIdParam.parse(params.id));
		const e: TimeRangeException = { date: text(f, 'date'), start: text(f, 'start'), end: text(f, 'end'), capacity: int(f, 'capacity') };
		const list = [...current.rules.rangeExceptions, e].sort((a, b) => (`${a.date} ${a.start}` < `${b.date} ${b.start}` ? -1 : 1));
		return save(locals, params.id, getClientAddress(), `range:${list.indexOf(e)}`, { rangeExceptions: list }, e);
	},
	deleteRange: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const current = await scheduleFor(appContext(), locals.principal, locationIdParam.parse(params.id));
		const index = int(f, 'index');
		return save(locals, params.id, getClientAddress(), 'range:deleted', { rangeExceptions: current.rules.rangeExceptions.filter((_, i) => i !== index) });
	}
});
