/**
 * Retention (R-O02): keep the base backups of the newest `keepDays` days that have one (Asia/Tokyo
 * calendar days), and the archived WAL from the oldest kept backup on. Anything a kept backup needs
 * to reach "now" stays; nothing older does.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { walFilesBefore } from './archive.ts';
import { readManifest, writeManifest, type BackupEntry } from './manifest.ts';

const tokyoDate = (iso: string) => new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Asia/Tokyo' });

export interface RetentionPlan {
	keep: BackupEntry[];
	drop: BackupEntry[];
	/** WAL segments before this one (by position) are no longer needed; null = keep all */
	oldestNeededWal: string | null;
}

/** Pure: which backups to keep. The newest backup is always kept, whatever keepDays says. */
export function planRetention(backups: BackupEntry[], keepDays: number): RetentionPlan {
	const sorted = [...backups].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
	const days = [...new Set(sorted.map((b) => tokyoDate(b.finishedAt)))].slice(-Math.max(1, keepDays));
	const keep = sorted.filter((b) => days.includes(tokyoDate(b.finishedAt)));
	const drop = sorted.filter((b) => !keep.includes(b));
	const oldest = keep.map((b) => b.startWalFile).sort((a, b) => a.slice(8).localeCompare(b.slice(8)))[0] ?? null;
	return { keep, drop, oldestNeededWal: oldest };
}

export interface PruneReport {
	removedBackups: string[];
	removedWalFiles: number;
	keptBackups: number;
}

export function pruneBackups(backupDir: string, keepDays: number, walDir = join(backupDir, 'wal')): PruneReport {
	const dir = resolve(backupDir);
	const manifest = readManifest(dir);
	const plan = planRetention(manifest.backups, keepDays);
	// The manifest first: a crash half-way leaves extra files, never an entry without its files.
	writeManifest(dir, { ...manifest, backups: plan.keep });
	for (const b of plan.drop) rmSync(join(dir, 'base', b.id), { recursive: true, force: true });
	let removedWalFiles = 0;
	if (plan.oldestNeededWal) {
		let names: string[] = [];
		try {
			names = readdirSync(walDir);
		} catch {
			/* no archive yet */
		}
		for (const n of walFilesBefore(names, plan.oldestNeededWal)) {
			rmSync(join(walDir, n), { force: true });
			removedWalFiles++;
		}
	}
	return { removedBackups: plan.drop.map((b) => b.id), removedWalFiles, keptBackups: plan.keep.length };
}
