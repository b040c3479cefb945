/** The 操作ログ writer lives in ./audit/ now; every use case keeps importing it from here. */
export { audit, type AuditEntry } from './audit/write.ts';
