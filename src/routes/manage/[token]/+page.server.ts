import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { viewManaged } from '$lib/server/citizen/manage.ts';
import { checkinQrSvg } from '$lib/server/citizen/qr.ts';
import { orNotFound, tokenOf } from '$lib/server/citizen/manage-page.ts';
import { t } from '$lib/i18n';

const CHANGES = ['moved', 'cancelled', 'person_added'] as const;

/** R-C09 R-C10: the booking behind the manage link; also the completion page (?done=1), so reloading it is safe. */
export const load: PageServerLoad = async ({ params, locals, url }) => {
	const token = tokenOf(params, locals.lang);
	const view = await orNotFound(locals.lang, () => viewManaged(appContext(), token));
	const changed = CHANGES.find((c) => c === url.searchParams.get('changed')) ?? null;
	return {
		token,
		view,
		qr: view.checkinCode ? await checkinQrSvg(view.checkinCode, t(locals.lang).manageQrHeading) : null,
		done: url.searchParams.get('done') === '1' && view.status === 'active',
		changed
	};
};
