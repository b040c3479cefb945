import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import * as locations from '$lib/server/scheduling/locations.ts';
import { isAppError } from '$lib/server/errors.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { IMPORT_COLUMNS } from '$lib/domain/cards/import-row.ts';
import { importCards } from '$lib/server/cards/import.ts';
import { importReservations } from '$lib/server/cards/import-reservations.ts';
import { uploadFromFile } from '$lib/server/cards/upload.ts';

/** R-S02/R-S03 「カードデータ取込」: clerks and above upload card creation data. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!hasRole(locals.principal!.role, 'clerk')) error(403, 'この操作を行う権限がありません。');
	const places = await locations.list(appContext());
	return {
		columns: IMPORT_COLUMNS.map((c) => ({ header: c.header, required: c.required })),
		storage: places.map((l) => ({ code: l.code, nameJa: l.nameJa })),
		canOverride: hasRole(locals.principal!.role, 'supervisor')
	};
};

type RowErrors = { errors?: { line: number; column: string | null; message: string }[]; errorCount?: number; unknownColumns?: string[]; overCapacity?: number; canOverride?: boolean };

/** An AppError as the page shows it: the message, the errors by line, and which form they belong to. */
function failure(e: unknown, kind: 'cards' | 'reservations') {
	if (!isAppError(e)) throw e;
	const x = e.extra as RowErrors;
	return fail(e.status, { kind, message: e.message, rowErrors: x.errors ?? [], errorCount: x.errorCount ?? 0, unknownColumns: x.unknownColumns ?? [], overCapacity: x.overCapacity ?? 0 });
}

export const actions: Actions = {
	cards: async ({ request, locals, getClientAddress }) => {
		try {
			const form = await request.formData();
			const upload = uploadFromFile(form.get('file'), form.get('encoding'));
			const name = form.get('file') instanceof File ? (form.get('file') as File).name.slice(0, 100) : '';
			const result = await importCards(appContext(), locals.principal, { ...upload, ip: getClientAddress() });
			return { kind: 'cards' as const, result, fileName: name };
		} catch (e) {
			return failure(e, 'cards');
		}
	},
	/** R-S16: reservations taken before go-live; over capacity only by a supervisor with a reason. */
	reservations: async ({ request, locals, getClientAddress }) => {
		try {
			const form = await request.formData();
			const upload = uploadFromFile(form.get('file'), form.get('encoding'));
			const reason = String(form.get('overrideReason') ?? '').trim().slice(0, 500) || null;
			const booked = await importReservations(appContext(), locals.principal, { ...upload, overrideReason: reason, ip: getClientAddress() });
			return { kind: 'reservations' as const, booked };
		} catch (e) {
			return failure(e, 'reservations');
		}
	}
};
