import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { addManagedPerson, viewManaged } from '$lib/server/citizen/manage.ts';
import { managePersonBody } from '$lib/server/citizen/schemas.ts';
import { text } from '$lib/server/web/forms.ts';
import { actionResult, manageHref, orNotFound, tokenOf } from '$lib/server/citizen/manage-page.ts';
import { t } from '$lib/i18n';

/** R-C10 R-C07: add a household member to the booking. */
export const load: PageServerLoad = async ({ params, locals }) => {
	const token = tokenOf(params, locals.lang);
	return { token, view: await orNotFound(locals.lang, () => viewManaged(appContext(), token)) };
};

const twoDigits = (v: string) => (/^\d{1,2}$/.test(v) ? v.padStart(2, '0') : '');

export const actions: Actions = {
	/** R-C03 R-C14: verified like every person; one generic message for any mismatch, 429 with the time to retry. */
	default: async ({ params, locals, request, getClientAddress }) => {
		const token = tokenOf(params, locals.lang);
		const f = await request.formData();
		const values = { noticeId: text(f, 'noticeId').slice(0, 40), month: text(f, 'month'), day: text(f, 'day') };
		const month = twoDigits(values.month);
		const day = twoDigits(values.day);
		const input = managePersonBody.safeParse({ noticeId: values.noticeId, birthMonthDay: month && day ? `${month}-${day}` : '' });
		if (!input.success) {
			const invalid = [...(values.noticeId ? [] : ['noticeId']), ...(month && day ? [] : ['birth'])];
			return fail(400, { message: t(locals.lang).addFixBelow, reason: 'missing', values, invalid });
		}
		// A failed verification never says which part was wrong (R-C03): both fields are marked.
		const r = await actionResult(locals.lang, () => addManagedPerson(appContext(), token, input.data, getClientAddress()), { values, invalid: ['noticeId', 'birth'] });
		if (!r.ok) return r.failure;
		redirect(303, manageHref(token, 'person_added'));
	}
};
