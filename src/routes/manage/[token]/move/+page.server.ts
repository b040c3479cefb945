import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { moveManaged } from '$lib/server/citizen/manage.ts';
import { moveChoices } from '$lib/server/citizen/move-choices.ts';
import { dateString, locationIdParam, monthString, slotIdField } from '$lib/server/schemas.ts';
import { actionResult, manageHref, orNotFound, tokenOf } from '$lib/server/citizen/manage-page.ts';
import { t } from '$lib/i18n';

/** A query value, or undefined when missing or malformed (then the page shows its defaults). */
function opt<S extends z.ZodType>(schema: S, v: string | null): z.infer<S> | undefined {
	const r = v === null ? null : schema.safeParse(v);
	return r?.success ? r.data : undefined;
}

/** R-C10: location → day → time → confirm, each step a plain link, so it works without JavaScript. */
export const load: PageServerLoad = async ({ params, locals, url }) => {
	const token = tokenOf(params, locals.lang);
	const q = url.searchParams;
	const choices = await orNotFound(locals.lang, () =>
		moveChoices(appContext(), token, {
			locationId: opt(locationIdParam, q.get('location')),
			month: opt(monthString, q.get('month')),
			date: opt(dateString, q.get('date')),
			slotId: opt(slotIdField, q.get('slot'))
		})
	);
	return { token, ...choices, slotAsked: q.get('slot') !== null };
};

export const actions: Actions = {
	default: async ({ params, locals, request, getClientAddress }) => {
		const token = tokenOf(params, locals.lang);
		const slotId = slotIdField.safeParse(String((await request.formData()).get('slotId') ?? ''));
		if (!slotId.success) return fail(400, { message: t(locals.lang).moveNotSelectable });
		const r = await actionResult(locals.lang, () => moveManaged(appContext(), token, slotId.data, getClientAddress()));
		if (!r.ok) return r.failure;
		redirect(303, manageHref(token, 'moved'));
	}
};
