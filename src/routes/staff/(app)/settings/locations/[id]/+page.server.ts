import type { Actions } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { saveSchedule, updateLocation } from '$lib/server/scheduling/settings.ts';
import { attempt, locationFields, text } from '$lib/server/web/forms.ts';
import { updateLocationPlace } from '$lib/server/city/location-place.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { guardActions } from '$lib/server/web/guard.ts';

export const actions: Actions = guardActions('admin', {
	basics: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const id = locationIdParam.parse(params.id);
		// the address is edited in its own form below (R-S18): keep the stored one here
		const stored = await locations.get(appContext(), id);
		const input = { ...locationFields(f), addressJa: stored?.addressJa ?? '' };
		const r = await attempt(() => updateLocation(appContext(), locals.principal, id, input, getClientAddress()), { form: 'basics' });
		if (!r.ok) return r.failure;
		return { form: 'basics', saved: true, report: null };
	},
	/** R-S18: address and access directions, ja and en; the same use case as PUT …/locations/{id}/address. */
	place: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		// a text area sends CRLF: keep LF, as the API stores it
		const v = (name: string) => text(f, name).replace(/\r\n?/g, '\n');
		const body = { address: { ja: v('address.ja'), en: v('address.en') }, access: { ja: v('access.ja'), en: v('access.en') } };
		const values = Object.fromEntries([...f.entries()].map(([k, v]) => [k, String(v)]));
		const r = await attempt(() => updateLocationPlace(appContext(), locals.principal, locationIdParam.parse(params.id), body, { ip: getClientAddress() }), { form: 'place', values });
		if (!r.ok) return r.failure;
		return { form: 'place', saved: true, report: null };
	},
	purposes: async ({ request, params, locals, getClientAddress }) => {
		const f = await request.formData();
		const ids = f.getAll('purposeId').map((v) => Number(v)).filter((n) => Number.isInteger(n));
		const r = await attempt(() => saveSchedule(appContext(), locals.principal, locationIdParam.parse(params.id), { purposeIds: ids }, getClientAddress()), { form: 'purposes' });
		if (!r.ok) return r.failure;
		return { form: 'purposes', saved: true, report: r.value.report };
	}
});
