import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { getCitySettings, updateCitySettings } from '$lib/server/city/settings.ts';
import { TEXT_KEYS } from '$lib/server/city/read.ts';
import { attempt, int } from '$lib/server/web/forms.ts';
import { guardActions, requirePageRole } from '$lib/server/web/guard.ts';
import { LOCALES } from '$lib/domain/locale-text.ts';

const NUMBERS = ['reminderDays', 'linkMinutes', 'holdMinutes', 'maxPersonsPerBooking', 'changeCutoffDays', 'waitlistOfferMinutes', 'lateArrivalMinutes', 'waitAlertMinutes'] as const;

/** R-S18: every city-wide setting on one page (admins); the same use case as PUT /api/v1/staff/settings/city. */
export const load: PageServerLoad = async ({ locals }) => {
	requirePageRole(locals.principal, 'admin');
	return { city: await getCitySettings(appContext(), locals.principal) };
};

/** The form as the API's body: numbers (NaN when blank: the use case says so), texts per locale (`cityName.en`, …). */
function bodyOf(f: FormData): Record<string, unknown> {
	const body: Record<string, unknown> = {};
	for (const k of NUMBERS) body[k] = int(f, k);
	for (const k of TEXT_KEYS) {
		const t: Record<string, string> = {};
		for (const l of LOCALES) {
			const v = f.get(`${k}.${l}`);
			// the page's text areas send CRLF; keep the text's own line breaks as LF
			if (v !== null) t[l] = String(v).replace(/\r\n?/g, '\n');
		}
		body[k] = t;
	}
	return body;
}

export const actions: Actions = guardActions('admin', {
	save: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const body = bodyOf(f);
		const values = Object.fromEntries([...f.entries()].map(([k, v]) => [k, String(v)]));
		const r = await attempt(() => updateCitySettings(appContext(), locals.principal, body, { ip: getClientAddress() }), { values });
		if (!r.ok) return r.failure;
		return { saved: true };
	}
});
