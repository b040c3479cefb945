import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { functionFiles } from '../../db/functions.ts';

/** Issue 17: function bodies live once, in db/functions; migrations from 20261208070000 on never paste one. */
const MIGRATIONS = new URL('../../db/migrations/', import.meta.url);
const migrations = readdirSync(MIGRATIONS)
	.filter((f) => f.endsWith('.ts'))
	.sort()
	.map((name) => ({ name, text: readFileSync(new URL(name, MIGRATIONS), 'utf8') }));
const created = (text: string) => [...text.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([a-z_][a-z0-9_]*)\s*\(/gi)].map((m) => m[1].toLowerCase());

describe('db/functions (issue 17)', () => {
	it('R-O03 every file is CREATE OR REPLACE only, applied in file-name order', () => {
		const files = functionFiles();
		expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
		expect(files.length).toBeGreaterThan(0);
		for (const f of files) {
			expect(f.sql, f.name).not.toMatch(/CREATE\s+FUNCTION/i);
			expect(created(f.sql).length, f.name).toBeGreaterThan(0);
		}
	});

	it('R-O03 every function a migration created has its body in db/functions (but the retired commit-time sealer), and no migration from 20261208070000 on pastes a body', () => {
		const inFiles = new Set(functionFiles().flatMap((f) => created(f.sql)));
		const inMigrations = new Set(migrations.flatMap((m) => created(m.text)));
		inMigrations.delete('audit_log_seal');
		expect([...inMigrations].filter((n) => !inFiles.has(n))).toEqual([]);
		for (const m of migrations.filter((m) => m.name >= '20261208070000')) expect(created(m.text), m.name).toEqual([]);
		expect(inFiles.has('audit_log_seal_pending')).toBe(true);
	});
});
