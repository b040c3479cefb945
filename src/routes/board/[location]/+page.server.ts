import { error, redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { appContext } from '$lib/server/context.ts';
import { locationIdParam } from '$lib/server/schemas.ts';
import { BOARD_COOKIE, boardTokenLocation } from '$lib/server/board/tokens.ts';
import { boardCounters } from '$lib/server/board/counters.ts';
import { currentBanner } from '$lib/server/ops/emergency.ts';
import { mayServe } from '$lib/domain/scope.ts';
import * as locations from '$lib/server/scheduling/locations.ts';

/**
 * R-L02 wall board. A screen opens /board/{id}?token=… once: the token moves into an httpOnly
 * cookie and out of the URL (R-O05), so it is not left in history, logs or referrers.
 */
export const load: PageServerLoad = async ({ params, url, cookies, locals }) => {
	const ctx = appContext();
	const id = locationIdParam.safeParse(params.location);
	if (!id.success) error(404, '指定された交付場所が見つかりません。');
	const fromUrl = url.searchParams.get('token');
	if (fromUrl) {
		if ((await boardTokenLocation(ctx, fromUrl)) !== id.data) error(403, '表示用トークンが無効です。管理者に新しいトークンの発行を依頼してください。');
		cookies.set(BOARD_COOKIE, fromUrl, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 400 * 86400 });
		redirect(303, url.pathname);
	}
	const viaToken = (await boardTokenLocation(ctx, cookies.get(BOARD_COOKIE))) === id.data;
	if (!locals.principal && !viaToken) error(401, 'この画面の表示には職員ログインまたは表示用トークンが必要です。');
	// R-S01: a staff login opens only the boards of the locations it serves (the token is per location already)
	if (!viaToken && locals.principal && !mayServe(locals.principal, id.data)) error(403, 'この交付場所を担当していないため、表示できません。');
	const location = await locations.get(ctx, id.data);
	if (!location) error(404, '指定された交付場所が見つかりません。');
	return {
		location: { id: location.id, nameJa: location.nameJa },
		counters: await boardCounters(ctx, location.id),
		banner: await currentBanner(ctx),
		// The release of the node that rendered this page: the board reloads when a socket's hello names another (R-O08).
		release: ctx.release ?? 'dev'
	};
};
