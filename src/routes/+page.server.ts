import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { listCitizenLocations } from '$lib/server/scheduling/availability.ts';
import { citizenLinkBody } from '$lib/server/citizen/schemas.ts';
import { requestLink } from '$lib/server/citizen/links.ts';
import { isAppError } from '$lib/server/errors.ts';
import { listPurposes } from '$lib/server/scheduling/purposes.ts';

/** R-C02 R-S17: what can be booked, and the email address to start with. */
export const load: PageServerLoad = async ({ locals }) => {
	const ctx = appContext();
	const [locations, all] = await Promise.all([listCitizenLocations(ctx), listPurposes(ctx)]);
	const purposes = all.filter((p) => p.active).map((p) => ({ id: p.id, nameJa: p.nameJa, nameEn: p.nameEn }));
	return { locations, purposes, signedIn: !!locals.citizen };
};

export const actions: Actions = {
	/** The same answer for every address (R-C02). */
	link: async ({ request, locals, getClientAddress }) => {
		const f = await request.formData();
		const email = String(f.get('email') ?? '');
		const parsed = citizenLinkBody.safeParse({ email, lang: locals.lang });
		const en = locals.lang === 'en';
		if (!parsed.success) {
			return fail(400, { email, message: en ? 'Please enter a valid email address, such as name@example.jp.' : 'メールアドレスを正しく入力してください（例：name@example.jp）。' });
		}
		try {
			await requestLink(appContext(), { email: parsed.data.email, lang: locals.lang, ip: getClientAddress() });
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { email, message: en && e.en ? e.en : e.message });
			throw e;
		}
		return { sent: true };
	}
};
