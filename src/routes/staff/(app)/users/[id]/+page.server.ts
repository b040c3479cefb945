import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { getUser } from '$lib/server/users/view.ts';
import { resetPassword, updateUser } from '$lib/server/users/write.ts';
import { updateUserBody, userIdParam } from '$lib/server/users/schemas.ts';
import { zodFieldErrors } from '$lib/server/web/http.ts';
import { attempt, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { isAppError } from '$lib/server/errors.ts';

/** R-S01: one user — name, role, served locations; disable/enable; password reset. Admins only. */
export const load: PageServerLoad = async ({ locals, params }) => {
	if (!hasRole(locals.principal!.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	const id = userIdParam.safeParse(params.id);
	if (!id.success) error(404, '利用者が見つかりません。');
	try {
		return { user: await getUser(appContext(), locals.principal, id.data), self: id.data === locals.principal!.userId };
	} catch (e) {
		if (isAppError(e)) error(e.status, e.message);
		throw e;
	}
};

/** The id in the address, or a 404 before any use case runs. */
function idOf(params: { id: string }): number {
	const id = userIdParam.safeParse(params.id);
	if (!id.success) error(404, '利用者が見つかりません。');
	return id.data;
}

function fieldErrors(error: import('zod').ZodError): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const e of zodFieldErrors(error)) errors[e.field.split('.')[0]] ??= e.message;
	return errors;
}

export const actions: Actions = {
	save: async ({ request, locals, params, getClientAddress }) => {
		const f = await request.formData();
		const values = { displayName: text(f, 'displayName'), role: text(f, 'role'), locationIds: f.getAll('locationIds').map(Number) };
		const parsed = updateUserBody.safeParse(values);
		if (!parsed.success) return fail(400, { form: 'save', message: '入力を確認してください。', errors: fieldErrors(parsed.error), values });
		const r = await attempt(() => updateUser(appContext(), locals.principal, idOf(params), parsed.data, getClientAddress()), { form: 'save', values });
		return r.ok ? { form: 'save', saved: true } : r.failure;
	},
	active: async ({ request, locals, params, getClientAddress }) => {
		const active = (await request.formData()).get('active') === 'true';
		const r = await attempt(() => updateUser(appContext(), locals.principal, idOf(params), { active }, getClientAddress()), { form: 'active' });
		return r.ok ? { form: 'active', saved: true, active } : r.failure;
	},
	password: async ({ request, locals, params, getClientAddress }) => {
		const f = await request.formData();
		const generate = f.get('mode') === 'generate';
		const password = String(f.get('password') ?? '');
		if (!generate && !password) return fail(400, { form: 'password', message: '新しいパスワードを入力するか、自動生成を選んでください。', errors: { password: 'パスワードを入力してください' } });
		const r = await attempt(() => resetPassword(appContext(), locals.principal, idOf(params), generate ? { generate: true } : { password }, getClientAddress()), { form: 'password' });
		return r.ok ? { form: 'password', saved: true, generatedPassword: r.value.generatedPassword } : r.failure;
	}
};
