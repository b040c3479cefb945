import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { listUsers } from '$lib/server/users/view.ts';
import { createUser } from '$lib/server/users/write.ts';
import { createUserBody } from '$lib/server/users/schemas.ts';
import { zodFieldErrors } from '$lib/server/web/http.ts';
import { attempt, text } from '$lib/server/web/forms.ts';
import { hasRole } from '$lib/domain/roles.ts';
import { accountAlerts } from '$lib/server/auth/account-guard.ts';

/** R-S01 利用者管理: the list and the add form, admins only. */
export const load: PageServerLoad = async ({ locals }) => {
	if (!hasRole(locals.principal!.role, 'admin')) error(403, 'この画面は管理者のみ利用できます。');
	return { users: await listUsers(appContext(), locals.principal), attacks: await accountAlerts(appContext(), locals.principal) };
};

export const actions: Actions = {
	create: async ({ request, locals, getClientAddress }) => {
		if (!locals.principal || !hasRole(locals.principal.role, 'admin')) return fail(403, { message: 'この操作を行う権限がありません。', errors: {} });
		const f = await request.formData();
		const password = String(f.get('password') ?? '');
		const values = { login: text(f, 'login'), displayName: text(f, 'displayName'), role: text(f, 'role'), locationIds: f.getAll('locationIds').map(Number) };
		const parsed = createUserBody.safeParse({ ...values, ...(password ? { password } : {}) });
		if (!parsed.success) {
			const errors: Record<string, string> = {};
			for (const e of zodFieldErrors(parsed.error)) errors[e.field.split('.')[0]] ??= e.message;
			return fail(400, { message: '入力を確認してください。', errors, values });
		}
		const r = await attempt(() => createUser(appContext(), locals.principal, parsed.data, getClientAddress()), { values });
		if (!r.ok) return r.failure;
		return { created: { login: r.value.user.login, displayName: r.value.user.displayName, generatedPassword: r.value.generatedPassword } };
	}
};
