/** The 操作ログ writer lives in ./audit/write.ts; only slots.ts still imports it from here (remove once it moves, issue 17). */
export { audit } from './audit/write.ts';
