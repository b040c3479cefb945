/**
 * Least privilege (issue 10, R-O03/R-O04): the owner runs migrations and owns every object; the app's
 * requests and jobs run as a runtime role that owns nothing and may only append to the operation log
 * (grants in db/roles.sql). Three set-ups:
 *
 * - `separate`: DATABASE_OWNER_URL is the owner, DATABASE_URL already logs in as the runtime role the
 *   city's DBA created. Boot applies the grants as the owner and connects with DATABASE_URL.
 * - `created`: only DATABASE_URL, and it may create roles (a superuser, as the embedded database of
 *   `npm start` and the test server are). Boot creates DATABASE_APP_ROLE as a LOGIN role, keeps its
 *   random password in app_secrets (a secret of this database, like the JWT secret, which the
 *   runtime role may read: it is its own password) and connects the request pool as that role.
 * - `single`: only DATABASE_URL, which cannot create roles, or the runtime role cannot log in. The app
 *   runs as that one role as before and says loudly that the log is not protected against it.
 *
 * A `SET ROLE` on the owner's connection was not chosen: injected SQL could `RESET ROLE`.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Sequelize } from 'sequelize';

export const DEFAULT_APP_ROLE = 'mynumber_app';
const ROLES_SQL = new URL('./roles.sql', import.meta.url);
const SECRET_NAME = 'db_app_password';

export type AccessMode = 'separate' | 'created' | 'single';

export interface RuntimeAccess {
	mode: AccessMode;
	/** the URL the request pool and pg-boss use */
	url: string;
	role: string;
	/** why the app runs as one role (mode `single`); never contains a password */
	reason?: string;
}

/** db/roles.sql with the role name filled in, as psql would for `-v app_role=NAME`. */
export function rolesSql(role: string): string {
	const ident = pg.escapeIdentifier(role);
	return readFileSync(ROLES_SQL, 'utf8')
		.split('\n')
		.filter((l) => !l.trimStart().startsWith('--'))
		.join('\n')
		.replaceAll(':"app_role"', ident);
}

/** Applies db/roles.sql as the owner (one transaction). The role must exist. */
export async function applyGrants(owner: Sequelize, role: string): Promise<void> {
	await owner.query(rolesSql(role));
}

async function roleExists(owner: Sequelize, role: string): Promise<boolean> {
	const [rows] = (await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = :role`, { replacements: { role } })) as [unknown[], unknown];
	return rows.length > 0;
}

async function canCreateRoles(owner: Sequelize): Promise<boolean> {
	const [[r]] = (await owner.query(`SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user`)) as [{ ok: boolean }[], unknown];
	return !!r?.ok;
}

/** The password this database keeps for its runtime role; the first node to ask generates it. */
async function storedPassword(owner: Sequelize): Promise<string> {
	const [rows] = (await owner.query(
		`INSERT INTO app_secrets (name, value) VALUES (:name, :v) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value`,
		{ replacements: { name: SECRET_NAME, v: randomBytes(24).toString('base64url') } }
	)) as [{ value: string }[], unknown];
	return rows[0].value;
}

export function withCredentials(url: string, user: string, password: string): string {
	const u = new URL(url);
	u.username = encodeURIComponent(user);
	u.password = encodeURIComponent(password);
	return u.toString();
}

function sqlState(e: unknown): string | undefined {
	const err = e as { code?: string; parent?: { code?: string }; original?: { code?: string } };
	return err?.code ?? err?.parent?.code ?? err?.original?.code;
}

/** Logs in once; the error's SQLSTATE when it cannot (28P01 wrong password, 28000 refused by pg_hba …). */
async function tryLogin(url: string): Promise<string | null> {
	const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
	try {
		await c.connect();
		return null;
	} catch (e) {
		return sqlState(e) ?? (e as Error).message;
	} finally {
		await c.end().catch(() => undefined);
	}
}

/**
 * Roles belong to the whole server, so databases that share one (test suites) may create the same
 * role at the same moment: the loser's error means the role is there now.
 */
async function createLoginRole(owner: Sequelize, role: string, password: string): Promise<void> {
	const ident = pg.escapeIdentifier(role);
	const attrs = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT`;
	try {
		await owner.query(`CREATE ROLE ${ident} ${attrs} PASSWORD ${pg.escapeLiteral(password)}`);
	} catch (e) {
		const code = sqlState(e);
		if (code !== '42710' && code !== '23505') throw e;
	}
}

/**
 * The status page's replica figures (pg_stat_replication) are blank to a role without
 * pg_read_all_stats. Only a superuser (or an admin of that role) may grant it; without, the page
 * shows the replicas without their state, nothing else changes.
 */
async function grantStatsReader(owner: Sequelize, role: string): Promise<void> {
	const [[r]] = (await owner.query(`SELECT pg_has_role(:role, 'pg_read_all_stats', 'USAGE') AS has`, { replacements: { role } })) as [{ has: boolean }[], unknown];
	if (r.has) return;
	await owner.query(`GRANT pg_read_all_stats TO ${pg.escapeIdentifier(role)}`).catch(() => undefined);
}

/**
 * Decides how the app connects (see the file's comment) and applies the grants. Runs as the owner,
 * under the migration lock (db/migrate.ts runMigrations `then`), so nodes starting together agree.
 */
export async function prepareRuntimeAccess(
	owner: Sequelize,
	opts: { ownerUrl: string; runtimeUrl?: string; role?: string }
): Promise<RuntimeAccess> {
	const role = opts.role ?? DEFAULT_APP_ROLE;
	if (opts.runtimeUrl && opts.runtimeUrl !== opts.ownerUrl) {
		if (!(await roleExists(owner, role))) {
			throw new Error(`DATABASE_APP_ROLE: the role "${role}" does not exist; create it as README "Database roles" shows (or set DATABASE_APP_ROLE to the runtime role's name)`);
		}
		await applyGrants(owner, role);
		return { mode: 'separate', url: opts.runtimeUrl, role };
	}
	const exists = await roleExists(owner, role);
	if (!exists && !(await canCreateRoles(owner))) {
		return { mode: 'single', url: opts.ownerUrl, role, reason: `DATABASE_URL's role may not create the runtime role "${role}"; create it (README "Database roles") and set DATABASE_OWNER_URL` };
	}
	const password = await storedPassword(owner);
	if (!exists) await createLoginRole(owner, role, password);
	await applyGrants(owner, role);
	await grantStatsReader(owner, role);
	const url = withCredentials(opts.ownerUrl, role, password);
	let refused = await tryLogin(url);
	if (refused === '28P01' && (await canCreateRoles(owner))) {
		// the role was made elsewhere, or its password changed: this database's secret wins
		await owner.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(password)}`);
		refused = await tryLogin(url);
	}
	if (refused) {
		return { mode: 'single', url: opts.ownerUrl, role, reason: `the runtime role "${role}" could not log in (${refused}); check pg_hba.conf, or create the role and set DATABASE_OWNER_URL` };
	}
	return { mode: 'created', url, role };
}

export interface PrivilegeReport {
	user: string;
	superuser: boolean;
	/** true when the connected role owns audit_log or can act as its owner: it could drop its triggers */
	ownsAuditLog: boolean;
	/** privileges on audit_log beyond SELECT and INSERT */
	auditExtra: string[];
}

/** What the connected role may do to the operation log: boot logs it, the least-privilege test asserts it. */
export async function privilegeReport(runtime: Sequelize): Promise<PrivilegeReport> {
	const [[r]] = (await runtime.query(
		`SELECT current_user AS user,
		        (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
		        pg_has_role(current_user, c.relowner, 'USAGE') AS owns,
		        array_remove(ARRAY[
		          CASE WHEN has_table_privilege(c.oid, 'UPDATE') THEN 'UPDATE' END,
		          CASE WHEN has_table_privilege(c.oid, 'DELETE') THEN 'DELETE' END,
		          CASE WHEN has_table_privilege(c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
		          CASE WHEN has_table_privilege(c.oid, 'TRIGGER') THEN 'TRIGGER' END,
		          CASE WHEN has_table_privilege(c.oid, 'REFERENCES') THEN 'REFERENCES' END
		        ], NULL) AS extra
		   FROM pg_class c WHERE c.oid = 'audit_log'::regclass`
	)) as [{ user: string; superuser: boolean; owns: boolean; extra: string[] }[], unknown];
	return { user: r.user, superuser: r.superuser, ownsAuditLog: r.owns, auditExtra: r.extra };
}
