import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { appContext } from '$lib/server/context.ts';
import { parseWith, searchParams } from '$lib/server/web/http.ts';
import { isAppError } from '$lib/server/errors.ts';
import { listKindPath, listQuery } from '$lib/server/lists/schema.ts';
import { exportList } from '$lib/server/lists/export.ts';
import { listResponse } from '$lib/server/lists/response.ts';
import { LIST_FLASH, writeFlash } from '$lib/server/lists/flash.ts';

const FIELD_JA: Record<string, string> = { kind: '帳票の種類', locationId: '交付場所', from: '開始日', to: '終了日', format: '形式', encoding: '文字コード' };

/** The 帳票出力 form's target: the same use case as GET /api/v1/staff/lists/{kind}; refusals go back to the form. */
export const GET: RequestHandler = async ({ url, locals, cookies, getClientAddress }) => {
	if (!locals.principal) redirect(303, `/staff/login?next=${encodeURIComponent('/staff/lists')}`);
	const all = searchParams(url);
	const { kind: rawKind, ...rest } = all;
	try {
		const { kind } = parseWith(listKindPath, { kind: rawKind }, 'path');
		const q = parseWith(listQuery, rest, 'query');
		const list = await exportList(appContext(), locals.principal, { kind, locationId: q.locationId ?? null, from: q.from, to: q.to ?? q.from, format: q.format, encoding: q.encoding, ip: getClientAddress() });
		return listResponse(list);
	} catch (e) {
		if (!isAppError(e)) throw e;
		const fields: Record<string, string> = {};
		for (const f of e.errors) fields[f.field] ??= /[ぁ-んァ-ヶ一-龠]/.test(f.message) ? f.message : `${FIELD_JA[f.field] ?? f.field}の値が正しくありません。`;
		const message = e.status === 400 ? '入力内容をご確認ください。' : e.message;
		cookies.set(LIST_FLASH, writeFlash({ message, fields }), { path: '/staff/lists', httpOnly: true, sameSite: 'lax', secure: false, maxAge: 60 });
		const back = new URLSearchParams(Object.entries(all).filter(([k]) => k in FIELD_JA));
		redirect(303, `/staff/lists?${back}`);
	}
};
