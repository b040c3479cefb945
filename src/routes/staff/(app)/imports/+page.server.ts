import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { isAppError } from '$lib/server/errors.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { IMPORT_COLUMNS } from '$lib/domain/cards/import-row.ts';
import { importCards } from '$lib/server/cards/import.ts';
import { uploadFromFile } from '$lib/server/cards/upload.ts';

/** R-S02/R-S03 「カードデータ取込」: clerks and above upload card creation data. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!hasRole(locals.principal!.role, 'clerk')) error(403, 'この操作を行う権限がありません。');
	const locations = await appContext().db.models.Location.findAll({ order: [['sortOrder', 'ASC'], ['id', 'ASC']], attributes: ['code', 'nameJa'] });
	return {
		columns: IMPORT_COLUMNS.map((c) => ({ header: c.header, required: c.required })),
		storage: locations.map((l) => ({ code: l.code, nameJa: l.nameJa }))
	};
};

export const actions: Actions = {
	default: async ({ request, locals, getClientAddress }) => {
		try {
			const form = await request.formData();
			const upload = uploadFromFile(form.get('file'), form.get('encoding'));
			const name = form.get('file') instanceof File ? (form.get('file') as File).name.slice(0, 100) : '';
			const result = await importCards(appContext(), locals.principal, { ...upload, ip: getClientAddress() });
			return { result, fileName: name };
		} catch (e) {
			if (!isAppError(e)) throw e;
			const extra = e.extra as { errors?: { line: number; column: string | null; message: string }[]; errorCount?: number; unknownColumns?: string[] };
			return fail(e.status, { message: e.message, rowErrors: extra.errors ?? [], errorCount: extra.errorCount ?? 0, unknownColumns: extra.unknownColumns ?? [] });
		}
	}
};
