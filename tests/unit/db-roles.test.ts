import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rolesSql, withCredentials } from '../../db/roles.ts';
import { parseConfig } from '../../src/lib/server/config.ts';

describe('database roles (issue 10)', () => {
	it('R-O03 R-O04 db/roles.sql grants only SELECT and INSERT on audit_log and nothing DDL; the role name is filled in as an identifier', () => {
		const sql = rolesSql('mynumber_app');
		expect(sql).not.toContain(':"app_role"');
		expect(sql).toContain('GRANT SELECT, INSERT ON audit_log TO "mynumber_app";');
		expect(sql).toContain('REVOKE ALL ON audit_log FROM "mynumber_app";');
		// no grant anywhere gives the runtime role a privilege that could remove or rewrite log rows
		const grants = sql.split(';').filter((s) => /^\s*GRANT/i.test(s));
		for (const g of grants) expect(g).not.toMatch(/\b(TRUNCATE|TRIGGER|CREATE|ALL PRIVILEGES|REFERENCES)\b|GRANT ALL/i);
		// a quote in a name cannot break out of the identifier
		expect(rolesSql('a"b')).toContain('TO "a""b";');
		// the same file psql runs: comments are the only difference
		expect(readFileSync(new URL('../../db/roles.sql', import.meta.url), 'utf8')).toContain('GRANT SELECT, INSERT ON audit_log TO :"app_role";');
	});

	it('R-O04 the runtime URL keeps host and database and carries the role; DATABASE_APP_ROLE must be a plain name', () => {
		expect(withCredentials('postgres://postgres:pw@127.0.0.1:5432/mynumber?sslmode=require', 'mynumber_app', 'p/w:@x')).toBe(
			'postgres://mynumber_app:p%2Fw%3A%40x@127.0.0.1:5432/mynumber?sslmode=require'
		);
		expect(parseConfig({}).DATABASE_APP_ROLE).toBe('mynumber_app');
		expect(() => parseConfig({ DATABASE_APP_ROLE: 'app"; DROP' })).toThrowError(/DATABASE_APP_ROLE/);
		expect(() => parseConfig({ DATABASE_OWNER_URL: 'mysql://x' })).toThrowError(/DATABASE_OWNER_URL/);
	});
});
