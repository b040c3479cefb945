import type { ParamMatcher } from '@sveltejs/kit';

/** The citizen pages whose whole text the city writes (R-S18): /privacy (個人情報の取扱い) and /help. */
export const match = ((param: string): param is 'privacy' | 'help' => param === 'privacy' || param === 'help') satisfies ParamMatcher;
