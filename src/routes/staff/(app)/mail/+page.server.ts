import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { isAppError } from '$lib/server/errors.ts';
import { mailQueue, retryFailedMail } from '$lib/server/mail/queue.ts';
import { resendByBookingNumber } from '$lib/server/mail/resend.ts';
import { TOPIC_LABELS_JA, isMailTopic } from '$lib/server/mail/topics.ts';
import { hasRole } from '$lib/domain/roles.ts';

/** Mails waiting, retrying or failed (clerk and above); supervisors may retry a failed one. */
export const load: PageServerLoad = async ({ locals }) => {
	try {
		const q = await mailQueue(appContext(), locals.principal);
		const label = (topic: string) => (isMailTopic(topic) ? TOPIC_LABELS_JA[topic] : topic);
		return {
			pending: q.pending.map((m) => ({ ...m, label: label(m.topic) })),
			failed: q.failed.map((m) => ({ ...m, label: label(m.topic) })),
			sentLastDay: q.sentLastDay,
			canRetry: hasRole(locals.principal!.role, 'supervisor')
		};
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
};

export const actions: Actions = {
	retry: async ({ request, locals, getClientAddress }) => {
		const id = String((await request.formData()).get('id') ?? '');
		try {
			await retryFailedMail(appContext(), locals.principal, { outboxId: id, ip: getClientAddress() });
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: e.message });
			throw e;
		}
		return { retried: true };
	},
	resend: async ({ request, locals, getClientAddress }) => {
		const bookingNumber = String((await request.formData()).get('bookingNumber') ?? '');
		try {
			const r = await resendByBookingNumber(appContext(), locals.principal, { bookingNumber, ip: getClientAddress() });
			return { resent: r.bookingNumber };
		} catch (e) {
			if (isAppError(e)) return fail(e.status, { message: e.message, bookingNumber });
			throw e;
		}
	}
};
