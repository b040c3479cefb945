/**
 * `npm run db:backup` / `npm run db:restore -- --to "2026-11-25 10:15" | --latest` /
 * `node db/backup/cli.ts status` (R-O02). Configuration from the same environment as the app
 * (DATABASE_URL, EMBEDDED_PG_DIR, BACKUP_DIR, BACKUP_KEEP_DAYS); see README "Backups and replica".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configFromEnvOrExit } from '../../src/lib/server/config.ts';
import { startEmbeddedPostgres } from '../../server/dev/embedded-postgres.ts';
import { BackupError, backupPaths, embeddedArchiveFlags, formatTokyo, parseTargetTime, pruneBackups, readBackupStatus, restoreBackup, takeBaseBackup, type BackupMethod } from './index.ts';
import { serverRunningIn } from './restore.ts';

const HELP = {
	backup: `使い方 (usage): npm run db:backup [-- オプション]

ベースバックアップを1つ取り、保存期間 (BACKUP_KEEP_DAYS) を過ぎたバックアップと WAL を削除します。
Takes one base backup, then prunes backups and WAL older than the retention.

  --backup-dir DIR     保存先 (default: BACKUP_DIR, or .data/backups)
  --method M           auto | basebackup | copy (default auto: pg_basebackup when its major fits the server)
  --no-prune           保存期間による削除をしない (skip retention)
  --help`,
	restore: `使い方 (usage): npm run db:restore -- --to "YYYY-MM-DD HH:MM" | --latest [オプション]

新しいデータディレクトリに、指定時刻 (日本時間) 時点または最新の状態を復元します。
Restores into a fresh data directory, up to a moment (Asia/Tokyo) or to the last archived transaction.

  --to "2026-11-25 10:15"  この時刻までにコミットされた内容 (committed up to this moment)
  --latest                 アーカイブされた最新まで (everything archived)
  --data-dir DIR           復元先 (default with the embedded database: EMBEDDED_PG_DIR, .data/pg)
  --force                  既存のデータディレクトリを <dir>.before-restore-<時刻> に退避 (moved aside, never deleted)
  --backup-dir DIR         バックアップの場所 (default: BACKUP_DIR, or .data/backups)
  --bin-dir DIR            PostgreSQL サーバのバイナリ (default: found for the backup's major; or PG_BIN_DIR)
  --help

アプリ (と組み込みデータベース) を止めてから実行してください。Stop the app first.`,
	status: `使い方 (usage): node db/backup/cli.ts status [--backup-dir DIR] [--json]`
} as const;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function fail(message: string, code = 1): never {
	console.error(`エラー (error): ${message}`);
	process.exit(code);
}

/** "2026-11-24 20:01:57.030885+00" (the server's log_timezone) in Japan time; as is when unreadable. */
function pgTimeInTokyo(text: string): string {
	const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?$/.exec(text.trim());
	const d = m && new Date(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`);
	return d && !Number.isNaN(d.getTime()) ? formatTokyo(d) : text;
}

/** The running embedded server's port, from its postmaster.pid (line 4). */
function embeddedPort(dataDir: string): number | null {
	if (!serverRunningIn(dataDir)) return null;
	return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
}

async function backup(argv: string[]) {
	const { values } = parseArgs({ args: argv, options: { 'backup-dir': { type: 'string' }, method: { type: 'string' }, 'no-prune': { type: 'boolean' }, help: { type: 'boolean' } } });
	if (values.help) return console.log(HELP.backup);
	const config = configFromEnvOrExit();
	const method = (values.method ?? 'auto') as BackupMethod;
	if (!['auto', 'basebackup', 'copy'].includes(method)) fail('--method は auto, basebackup, copy のいずれかです', 2);
	const backupDir = resolve(values['backup-dir'] ?? backupPaths(config).backupDir);
	let stop: (() => Promise<unknown>) | null = null;
	// the owner (issue 10): the runtime role of DATABASE_URL may not take a base backup
	let databaseUrl = config.DATABASE_OWNER_URL ?? config.DATABASE_URL;
	let dataDir: string | undefined;
	if (!databaseUrl) {
		dataDir = resolve(config.EMBEDDED_PG_DIR);
		if (!existsSync(join(dataDir, 'PG_VERSION'))) fail(`組み込みデータベースがありません (${dataDir})。先に npm start で作成してください。`);
		const port = embeddedPort(dataDir);
		if (port) databaseUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
		else {
			// The app is not running: start the embedded server just for the backup, archiving as the app does.
			const pg = await startEmbeddedPostgres(dataDir, 'mynumber', { postgresFlags: embeddedArchiveFlags({ ...config, BACKUP_DIR: backupDir }) });
			databaseUrl = pg.url;
			stop = pg.stop;
		}
	}
	try {
		const b = await takeBaseBackup({ databaseUrl, backupDir, method, dataDir });
		console.log(`バックアップ完了 (backup done): ${b.id}  ${b.method}  ${mb(b.sizeBytes)}  PostgreSQL ${b.serverVersion}`);
		console.log(`  保存先 (in): ${join(backupDir, 'base', b.id)}`);
		if (!values['no-prune']) {
			const p = pruneBackups(backupDir, config.BACKUP_KEEP_DAYS);
			console.log(`  保存期間 ${config.BACKUP_KEEP_DAYS} 日: バックアップ ${p.keptBackups} 件を保持、${p.removedBackups.length} 件と WAL ${p.removedWalFiles} ファイルを削除`);
		}
	} finally {
		await stop?.();
	}
}

async function restore(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		options: {
			to: { type: 'string' },
			latest: { type: 'boolean' },
			'data-dir': { type: 'string' },
			'backup-dir': { type: 'string' },
			'bin-dir': { type: 'string' },
			force: { type: 'boolean' },
			help: { type: 'boolean' }
		}
	});
	if (values.help) return console.log(HELP.restore);
	if (!!values.to === !!values.latest) fail('--to "YYYY-MM-DD HH:MM" か --latest のどちらか一方を指定してください (one of --to or --latest)。--help で使い方を表示します。', 2);
	let target: Date | 'latest' = 'latest';
	if (values.to) {
		const d = parseTargetTime(values.to);
		if (!d) fail(`時刻を読めません: "${values.to}"。形式は "2026-11-25 10:15" (日本時間) です。`, 2);
		target = d;
	}
	const config = configFromEnvOrExit();
	const dataDir = values['data-dir'] ?? (config.DATABASE_URL ? undefined : config.EMBEDDED_PG_DIR);
	if (!dataDir) fail('DATABASE_URL を使う構成では --data-dir で復元先を指定してください (an external server needs --data-dir)。', 2);
	const backupDir = resolve(values['backup-dir'] ?? backupPaths(config).backupDir);
	console.log(`復元中 (restoring) ${target === 'latest' ? '最新 (latest)' : formatTokyo(target)} → ${resolve(dataDir)} …`);
	const r = await restoreBackup({ backupDir, dataDir, target, force: values.force, binDir: values['bin-dir'] });
	console.log(`復元完了 (restored) from base backup ${r.backup.id} (${formatTokyo(r.backup.finishedAt)})`);
	if (!r.reachedTarget) console.log('  指定時刻はアーカイブの最後より後でした。アーカイブされた最新の状態まで復元しました。');
	if (r.lastTransactionAt) console.log(`  最後のトランザクション (last transaction): ${pgTimeInTokyo(r.lastTransactionAt)}`);
	if (r.previousDataDir) console.log(`  元のデータ (previous data) → ${r.previousDataDir}`);
	console.log(config.DATABASE_URL ? '  このデータディレクトリでサーバを起動してください (start the server on it).' : '  npm start で再開できます (start the app again).');
}

function status(argv: string[]) {
	const { values } = parseArgs({ args: argv, options: { 'backup-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
	if (values.help) return console.log(HELP.status);
	const config = configFromEnvOrExit();
	const dir = resolve(values['backup-dir'] ?? backupPaths(config).backupDir);
	const s = readBackupStatus(dir);
	if (values.json) return console.log(JSON.stringify(s, null, 2));
	console.log(`バックアップ (backups) in ${dir}: ${s.backups} 件, ${mb(s.totalBytes)}`);
	console.log(s.lastBackup ? `  最新 (last): ${formatTokyo(s.lastBackup.finishedAt)}  ${mb(s.lastBackup.sizeBytes)}` : '  まだありません (none yet)');
	if (s.restorableFrom) console.log(`  復元できる最も古い時刻 (restorable from): ${formatTokyo(s.restorableFrom)}`);
	console.log(`  WAL: ${s.wal.files} files, ${mb(s.wal.bytes)}${s.wal.newest ? `, last archived ${formatTokyo(s.wal.newest.archivedAt)}` : ''}`);
}

const [command, ...rest] = process.argv.slice(2);
try {
	if (command === 'backup') await backup(rest);
	else if (command === 'restore') await restore(rest);
	else if (command === 'status') status(rest);
	else {
		console.log(`${HELP.backup}\n\n${HELP.restore}\n\n${HELP.status}`);
		process.exitCode = command === '--help' || command === 'help' ? 0 : 2;
	}
} catch (e) {
	if (e instanceof BackupError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail((e as Error).message);
	// e.g. the database does not answer: the message, not a stack trace (DEBUG=1 shows it)
	if (process.env.DEBUG) console.error(e);
	fail(`${(e as Error).message || String(e)}`);
}
